using System.Net;
using Burrow.Core.Configuration;
using static Burrow.Core.Tests.Configuration.PayloadTestSupport;

namespace Burrow.Core.Tests.Configuration;

public class DirAuthorityLineTests
{
    [Theory]
    [InlineData(Auth1Line)]
    [InlineData("DirAuthority " + Auth1Line)]
    [InlineData("dirauthority\tauth1 orport=18002 hs no-hs v1 weight=10 v3ident=" + Auth1V3 + " 127.0.0.1:18003 " + Auth1Rsa)]
    [InlineData("  auth1   v3ident=" + Auth1V3 + "  orport=18002   127.0.0.1:18003   " + Auth1Rsa + "  ")]
    public void LineGivesAuthorityAndFallback(string line)
    {
        Assert.True(DirAuthorityLine.TryParse(line, out var authority, out var fallback, out var problem), problem);
        Assert.Equal(new("auth1", Auth1V3), authority);
        Assert.Equal(Auth1Rsa, fallback.RsaIdentity);
        Assert.Null(fallback.Ed25519Identity);
        Assert.Equal([IPEndPoint.Parse("127.0.0.1:18002")], fallback.OrPorts);
    }

    [Fact]
    public void Ipv6OrportIsASecondFallbackAddressAndHexIsNormalised()
    {
        var line = $"auth1 orport=18002 ipv6=[::1]:18012 v3ident={Auth1V3.ToLowerInvariant()} 127.0.0.1:18003 {Auth1Rsa.ToLowerInvariant()}";
        Assert.True(DirAuthorityLine.TryParse(line, out var authority, out var fallback, out var problem), problem);
        Assert.Equal(Auth1V3, authority.V3Ident);
        Assert.Equal(Auth1Rsa, fallback.RsaIdentity);
        Assert.Equal([IPEndPoint.Parse("127.0.0.1:18002"), IPEndPoint.Parse("[::1]:18012")], fallback.OrPorts);
    }

    [Theory]
    [InlineData("", "the line is empty")]
    [InlineData("DirAuthority", "the line is empty")]
    [InlineData("bridge orport=1 v3ident=" + Auth1V3 + " 127.0.0.1:2 " + Auth1Rsa, "does not start with the authority's nickname")]
    [InlineData("auth1 bridge orport=1 v3ident=" + Auth1V3 + " 127.0.0.1:2 " + Auth1Rsa, "bridge authorities are not supported")]
    [InlineData("auth-1 orport=1 v3ident=" + Auth1V3 + " 127.0.0.1:2 " + Auth1Rsa, "is not a nickname")]
    [InlineData("auth1 orport=1 v3ident=" + Auth1V3 + " " + Auth1Rsa, "is neither a known flag nor IPV4:DIRPORT")]
    [InlineData("auth1 orport=1 v3ident=" + Auth1V3, "the IPV4:DIRPORT address is missing")]
    [InlineData("auth1 orport=1 v3ident=" + Auth1V3 + " [::1]:2 " + Auth1Rsa, "is neither a known flag nor IPV4:DIRPORT")]
    [InlineData("auth1 orport=1 v3ident=XYZ 127.0.0.1:2 " + Auth1Rsa, "v3ident 'XYZ' is not 40 hexadecimal digits")]
    [InlineData("auth1 orport=1 ipv6=127.0.0.1:3 v3ident=" + Auth1V3 + " 127.0.0.1:2 " + Auth1Rsa, "ipv6 '127.0.0.1:3' is not [IPv6]:ORPORT")]
    [InlineData("auth1 orport=1 v3ident=" + Auth1V3 + " 127.0.0.1:2 FDB8D305 87EEA64B C0EE04FD B0D8F89F 7CF2B10B", "is not 40 hex digits (or 10 groups of 4)")]
    [InlineData("auth1 orport=1 colour=red v3ident=" + Auth1V3 + " 127.0.0.1:2 " + Auth1Rsa, "unknown flag 'colour=red'")]
    public void BadLineSaysWhatIsWrong(string line, string fragment)
    {
        Assert.False(DirAuthorityLine.TryParse(line, out _, out _, out var problem));
        Assert.Contains(fragment, problem, StringComparison.Ordinal);
    }
}
