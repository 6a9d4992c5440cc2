using System.Net;
using Burrow.Core.Dns;

namespace Burrow.Core.Tests.Dns;

public class DnsNameTests
{
    [Theory]
    [InlineData("Example.COM", "example.com")]
    [InlineData("example.com.", "example.com")]
    [InlineData("xn--bcher-kva.Example", "xn--bcher-kva.example")]
    [InlineData("BÜCHER.example", "bÜcher.example")] // only ASCII is folded: IDNA is left as the client sent it
    [InlineData("a", "a")]
    public void Normalises(string input, string expected)
    {
        Assert.True(DnsName.TryNormalize(input, out var normalized, out var problem), problem);
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData(".", "empty")]
    [InlineData("a..b", "empty label")]
    [InlineData(".a", "empty label")]
    [InlineData("a b.example", "not accepted")]
    public void RefusesInvalidNames(string input, string reason)
    {
        Assert.False(DnsName.TryNormalize(input, out _, out var problem));
        Assert.Contains(reason, problem);
    }

    [Fact]
    public void RefusesOverlongLabelsAndNames()
    {
        Assert.False(DnsName.TryNormalize(new string('a', 64) + ".example", out _, out var label));
        Assert.Contains("at most 63", label);
        Assert.True(DnsName.TryNormalize(new string('a', 63) + ".example", out _, out _));

        var name254 = string.Join('.', Enumerable.Repeat(new string('b', 50), 5)); // 5 * 50 + 4 dots = 254 characters
        Assert.Equal(254, name254.Length);
        Assert.False(DnsName.TryNormalize(name254, out _, out var tooLong));
        Assert.Contains("at most 253", tooLong);
        Assert.True(DnsName.TryNormalize(name254[1..], out _, out _));
    }

    [Fact]
    public void RefusesAWireLabelThatContainsADot() =>
        Assert.False(DnsName.TryNormalizeLabels(["a.b", "example"], out _, out _));

    [Theory]
    [InlineData("example.com", "com", true)]
    [InlineData("com", "com", true)]
    [InlineData("examplecom", "com", false)]
    [InlineData("anything.at.all", ".", true)]
    public void MatchesSuffixesOnLabelBoundaries(string name, string suffix, bool expected) =>
        Assert.Equal(expected, DnsName.HasSuffix(name, suffix));

    [Theory]
    [InlineData("10.192.0.1", "1.0.192.10.in-addr.arpa")]
    [InlineData("fd62:7572:726f:77::1", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.7.7.0.0.f.6.2.7.2.7.5.7.2.6.d.f.ip6.arpa")]
    public void ReverseNamesRoundTrip(string address, string reverse)
    {
        Assert.Equal(reverse, DnsName.ReverseName(IPAddress.Parse(address)));
        Assert.True(DnsName.TryParseReverseName(reverse, out var parsed));
        Assert.Equal(IPAddress.Parse(address), parsed);
    }

    [Theory]
    [InlineData("0.192.10.in-addr.arpa")] // a zone, not an address
    [InlineData("256.0.192.10.in-addr.arpa")]
    [InlineData("01.0.192.10.in-addr.arpa")]
    [InlineData("x.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.7.7.0.0.f.6.2.7.2.7.5.7.2.6.d.f.ip6.arpa")]
    [InlineData("example.com")]
    public void RefusesPartialOrBadReverseNames(string name) =>
        Assert.False(DnsName.TryParseReverseName(name, out _));
}
