using System.Net;
using System.Text;
using Burrow.Tor.Identities;
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.Tests.NetDoc;

public class PortPolicyTests
{
    [Theory]
    [InlineData("accept 80,443,1000-2000", 80, true)]
    [InlineData("accept 80,443,1000-2000", 443, true)]
    [InlineData("accept 80,443,1000-2000", 1000, true)]
    [InlineData("accept 80,443,1000-2000", 1500, true)]
    [InlineData("accept 80,443,1000-2000", 2000, true)]
    [InlineData("accept 80,443,1000-2000", 2001, false)]
    [InlineData("accept 80,443,1000-2000", 81, false)]
    [InlineData("accept 80,443,1000-2000", 0, false)]
    [InlineData("reject 25,119,135-139,445,563,1214,4661-4666,6346-6429,6699,6881-6999", 80, true)]
    [InlineData("reject 25,119,135-139,445,563,1214,4661-4666,6346-6429,6699,6881-6999", 25, false)]
    [InlineData("reject 25,119,135-139,445,563,1214,4661-4666,6346-6429,6699,6881-6999", 6999, false)]
    [InlineData("reject 25,119,135-139,445,563,1214,4661-4666,6346-6429,6699,6881-6999", 7000, true)]
    [InlineData("reject 1-65535", 443, false)]
    [InlineData("accept 1-65535", 65535, true)]
    [InlineData("accept 1-65535", 0, false)]
    [InlineData("accept 1-65535", 65536, false)]
    [InlineData("reject 80", 0, false)]
    public void AllowsPort(string summary, int port, bool allowed) =>
        Assert.Equal(allowed, PortPolicy.Parse(summary).AllowsPort(port));

    [Fact]
    public void UnsortedAndOverlappingListsAreNormalized()
    {
        var p = PortPolicy.Parse("accept 443,80-90,85-100,101,22");
        Assert.Equal("accept 22,80-101,443", p.ToString());
        Assert.True(p.AllowsPort(101));
        Assert.False(p.AllowsPort(102));
    }

    [Fact]
    public void AllowsAnyPort()
    {
        Assert.False(PortPolicy.RejectAll.AllowsAnyPort);
        Assert.True(PortPolicy.AcceptAll.AllowsAnyPort);
        Assert.True(PortPolicy.Parse("reject 1-65534").AllowsAnyPort);
        Assert.True(PortPolicy.Parse("accept 80").AllowsAnyPort);
    }

    [Theory]
    [InlineData("accept")]
    [InlineData("accept 10-5")]
    [InlineData("accept 1,,2")]
    [InlineData("deny 80")]
    [InlineData("accept -5")]
    [InlineData("accept 80-")]
    public void RejectsMalformedSummaries(string summary) =>
        Assert.Throws<NetDocException>(() => PortPolicy.Parse(summary));
}

public class ProtocolVersionsTests
{
    [Fact]
    public void ParsesRangesAndLists()
    {
        var p = ProtocolVersions.Parse("Link=1-5 Relay=1-4 LinkAuth=1,3 HSDir=2 Cons=1-2,4 Padding=0-63 Empty=");
        Assert.True(p.Supports("Link", 1));
        Assert.True(p.Supports("Link", 5));
        Assert.False(p.Supports("Link", 6));
        Assert.False(p.Supports("LinkAuth", 2));
        Assert.True(p.Supports("LinkAuth", 3));
        Assert.True(p.Supports("Cons", 4));
        Assert.False(p.Supports("Cons", 3));
        Assert.True(p.Supports("Padding", 63));
        Assert.False(p.Supports("Empty", 0));
        Assert.False(p.Supports("Nope", 1));
        Assert.False(p.Supports("Link", 64));
        Assert.Equal("Link=1-5 Relay=1-4 LinkAuth=1,3 HSDir=2 Cons=1-2,4 Padding=0-63 Empty=", p.ToString());
    }

    [Fact]
    public void MissingFromRequired()
    {
        var required = ProtocolVersions.Parse("Cons=2 Desc=2 FlowCtrl=1 Link=4 Microdesc=2 Relay=2");
        Assert.Equal("", ProtocolVersions.Parse("Cons=1-2 Desc=1-4 FlowCtrl=1-2 Link=3-5 Microdesc=1-3 Relay=2-6").MissingFrom(required));
        Assert.Equal("FlowCtrl=1 Relay=2", ProtocolVersions.Parse("Cons=2 Desc=2 Link=4 Microdesc=2 Relay=3").MissingFrom(required));
    }

    [Theory]
    [InlineData("Link")]
    [InlineData("Link=1 Link=2")]
    [InlineData("Link=a")]
    [InlineData("Link=64")]
    [InlineData("Link=3-1")]
    [InlineData("Li_nk=1")]
    [InlineData("=1")]
    [InlineData("Link=1,")]
    public void RejectsMalformedEntries(string text) =>
        Assert.Throws<NetDocException>(() => ProtocolVersions.Parse(text));
}

public class ConsensusParamsTests
{
    [Fact]
    public void GetAppliesDefaultsAndClamps()
    {
        var p = ConsensusParams.Parse("circwindow=50 big=2147483647 neg=-5 UseOptimisticData=7");
        Assert.Equal(100, p.Get("circwindow", 1000, 100, 1000));
        Assert.Equal(1000, p.Get("missing", 1000, 100, 1000));
        Assert.Equal(1, p.Get("UseOptimisticData", 1, 0, 1));
        Assert.Equal(-1, p.Get("neg", 0, -1, 10));
        Assert.Equal(int.MaxValue, p.Get("big", 0, 0, int.MaxValue));
        Assert.Equal(4, p.Count);
        Assert.Throws<ArgumentException>(() => p.Get("x", 0, 5, 1));
    }

    [Fact]
    public void EmptyParamsLine()
    {
        Assert.Equal(0, ConsensusParams.Parse("").Count);
    }
}

public class IdentityTests
{
    [Fact]
    public void RsaIdentityRoundTripsAndOrdersByBytes()
    {
        var a = RsaIdentity.FromHex("0232AF901C31A04EE9848595AF9BB7620D4C5B2E");
        var b = RsaIdentity.FromHex("0232af901c31a04ee9848595af9bb7620d4c5b2f");
        Assert.Equal("0232AF901C31A04EE9848595AF9BB7620D4C5B2E", a.ToHex());
        Assert.Equal("$0232AF901C31A04EE9848595AF9BB7620D4C5B2E", a.ToString());
        Assert.True(a.CompareTo(b) < 0);
        Assert.True(RsaIdentity.FromHex("FF00000000000000000000000000000000000000").CompareTo(a) > 0);
        Assert.Equal(a, new RsaIdentity(a.ToArray()));
        Assert.NotEqual(a, b);
        Assert.False(RsaIdentity.TryFromHex("0232AF", out _));
        Assert.Throws<FormatException>(() => RsaIdentity.FromHex("zz32AF901C31A04EE9848595AF9BB7620D4C5B2E"));
    }

    [Fact]
    public void Digest256Base64()
    {
        Assert.True(Digest256.TryFromBase64("MZjFbMLLC+a+LTqejOFlnJWdO6bIPXr0vWWPZQQVihY", out var d));
        Assert.Equal("MZjFbMLLC+a+LTqejOFlnJWdO6bIPXr0vWWPZQQVihY", d.ToBase64Unpadded());
        Assert.False(Digest256.TryFromBase64("MZjF", out _));
        Assert.True(Ed25519Identity.TryFromBase64("k3TwldYWObTQkjmY83o+uG6xcbD5b/Zda8QPc/C5Ftg", out var ed));
        Assert.Equal("k3TwldYWObTQkjmY83o+uG6xcbD5b/Zda8QPc/C5Ftg", ed.ToString());
    }
}

public class IPv6ParsingTests
{
    [Theory]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("1::")]
    [InlineData("2a0a:4cc0:c1:2aac::1")]
    [InlineData("2001:db8:0:0:0:0:2:1")]
    [InlineData("2001:DB8::2:1")]
    [InlineData("fe80::1:2:3:4:5:6")]
    [InlineData("1:2:3:4:5:6:7::")]
    [InlineData("::ffff:192.0.2.128")]
    [InlineData("1:2:3:4:5:6:1.2.3.4")]
    [InlineData("0:0:0:0:0:0:0:0")]
    public void MatchesTheFrameworkOnValidAddresses(string text)
    {
        Assert.True(NetDocText.TryParseIPv6(Encoding.ASCII.GetBytes(text), out var ip), text);
        Assert.Equal(IPAddress.Parse(text), ip);
    }

    [Theory]
    [InlineData("")]
    [InlineData(":")]
    [InlineData(":::")]
    [InlineData("1::2::3")]
    [InlineData("1:2:3:4:5:6:7")]
    [InlineData("1:2:3:4:5:6:7:8:9")]
    [InlineData("1:2:3:4:5:6:7:8::")]
    [InlineData("12345::")]
    [InlineData("g::")]
    [InlineData("1:")]
    [InlineData(":1")]
    [InlineData("::1.2.3")]
    [InlineData("1.2.3.4::")]
    [InlineData("fe80::1%eth0")]
    public void RejectsInvalidAddresses(string text) =>
        Assert.False(NetDocText.TryParseIPv6(Encoding.ASCII.GetBytes(text), out _), text);
}
