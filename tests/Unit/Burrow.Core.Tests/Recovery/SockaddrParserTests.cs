using System.Net;
using Burrow.Core.Recovery;
using Burrow.Core.Recovery.Linux;

namespace Burrow.Core.Tests.Recovery;

public class SockaddrParserTests
{
    [Fact]
    public void ParsesSockaddrIn()
    {
        // family AF_INET (host order, little-endian here), port 8080 big-endian, 127.0.0.2, zero padding
        byte[] sa = [2, 0, 0x1F, 0x90, 127, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.Equal(IPEndPoint.Parse("127.0.0.2:8080"), SockaddrParser.ParseIPv4(sa));
    }

    [Fact]
    public void ParsesSockaddrIn6WithScope()
    {
        var sa = new byte[28];
        sa[0] = 10;
        sa[2] = 0x01; sa[3] = 0xBB; // 443
        IPAddress.Parse("fd00::2").GetAddressBytes().CopyTo(sa, 8);
        BitConverter.GetBytes(3u).CopyTo(sa, 24);
        var ep = SockaddrParser.ParseIPv6(sa);
        Assert.Equal(443, ep.Port);
        Assert.Equal(IPAddress.Parse("fd00::2%3"), ep.Address);
    }

    [Theory]
    [InlineData(new byte[] { 2, 0, 0, 80 })]
    [InlineData(new byte[] { 10, 0, 0, 80, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 })]
    public void RejectsShortOrWrongFamilyIPv4(byte[] sa)
        => Assert.Throws<ArgumentException>(() => SockaddrParser.ParseIPv4(sa));

    [Fact]
    public void RejectsWrongFamilyIPv6()
        => Assert.Throws<ArgumentException>(() => SockaddrParser.ParseIPv6(new byte[28]));

    [Fact]
    public void DestinationEqualToTheListenerIsNotRedirected()
    {
        var listener = IPEndPoint.Parse("127.0.0.1:9040");
        var result = SoOriginalDstResolver.Check(IPEndPoint.Parse("127.0.0.1:9040"), listener);
        Assert.Equal(RecoveryStatus.NotRedirected, result.Status);
        Assert.Contains("listener itself", result.Reason);
        var mapped = SoOriginalDstResolver.Check(IPEndPoint.Parse("[::ffff:127.0.0.1]:9040"), listener);
        Assert.Equal(RecoveryStatus.NotRedirected, mapped.Status);
        var found = SoOriginalDstResolver.Check(IPEndPoint.Parse("127.0.0.2:80"), listener);
        Assert.Equal(RecoveryStatus.Found, found.Status);
        Assert.Equal(IPEndPoint.Parse("127.0.0.2:80"), found.Destination);
    }

    [Fact]
    public void DirectConnectionToTheListenerIsRefusedBySoOriginalDst()
    {
        // No NAT involved: the kernel reports no original destination or the listener itself.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new System.Net.Sockets.TcpClient();
        client.Connect((IPEndPoint)listener.LocalEndpoint);
        using var accepted = listener.AcceptSocket();
        var result = SoOriginalDstResolver.Resolve(accepted);
        Assert.Equal(RecoveryStatus.NotRedirected, result.Status);
        Assert.Equal("SO_ORIGINAL_DST", result.Method);
    }
}
