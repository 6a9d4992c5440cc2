using System.Net;
using Burrow.Core.Configuration;

namespace Burrow.Core.Tests.Configuration;

public class NetworkSyntaxTests
{
    [Theory]
    [InlineData("127.0.0.1:9040", "127.0.0.1:9040")]
    [InlineData("0.0.0.0:1", "0.0.0.0:1")]
    [InlineData("255.255.255.255:65535", "255.255.255.255:65535")]
    [InlineData("[::1]:9040", "[::1]:9040")]
    [InlineData("[fd00::0:2]:80", "[fd00::2]:80")]
    [InlineData("[::ffff:1.2.3.4]:80", "[::ffff:1.2.3.4]:80")]
    public void ValidEndpoints(string text, string formatted)
    {
        Assert.True(NetworkSyntax.TryParseEndPoint(text, out var ep));
        Assert.Equal(formatted, NetworkSyntax.Format(ep));
    }

    [Theory]
    [InlineData("")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:+80")]
    [InlineData("127.0.0.1: 80")]
    [InlineData("127.1:80")]
    [InlineData("0x7f.0.0.1:80")]
    [InlineData("01.2.3.4:80")]
    [InlineData("256.0.0.1:80")]
    [InlineData("1.2.3.4.5:80")]
    [InlineData("::1:80")]
    [InlineData("[::1]")]
    [InlineData("[::1]80")]
    [InlineData("[127.0.0.1]:80")]
    [InlineData("[fe80::1%eth0]:80")]
    [InlineData("localhost:80")]
    public void InvalidEndpoints(string text) => Assert.False(NetworkSyntax.TryParseEndPoint(text, out _));

    [Theory]
    [InlineData("100.64.0.2/32", "100.64.0.2/32")]
    [InlineData("100.64.0.2", "100.64.0.2/32")]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("fd00::2/128", "fd00::2/128")]
    [InlineData("fd00::/8", "fd00::/8")]
    public void ValidCidr(string text, string expected)
    {
        Assert.Equal(NetworkSyntax.CidrProblem.None, NetworkSyntax.TryParseCidr(text, out var network));
        Assert.Equal(IPNetwork.Parse(expected), network);
    }

    [Theory]
    [InlineData("100.64.0.2/24", "HostBits")]
    [InlineData("fd00::2/64", "HostBits")]
    [InlineData("10.0.0.1/33", "Syntax")]
    [InlineData("fd00::/129", "Syntax")]
    [InlineData("10.0.0.0/08", "Syntax")]
    [InlineData("10.0.0.0/", "Syntax")]
    [InlineData("/8", "Syntax")]
    [InlineData("10.0.0/8", "Syntax")]
    public void InvalidCidr(string text, string problem)
        => Assert.Equal(Enum.Parse<NetworkSyntax.CidrProblem>(problem), NetworkSyntax.TryParseCidr(text, out _));
}
