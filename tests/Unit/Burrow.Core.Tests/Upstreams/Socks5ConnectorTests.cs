using System.Net;
using System.Net.Sockets;
using System.Text;
using Burrow.Core.Upstreams;

namespace Burrow.Core.Tests.Upstreams;

public class Socks5ConnectorTests
{
    /// <summary>A one-connection SOCKS5 server that records what the client sent and answers with <paramref name="reply"/>.</summary>
    private static (IPEndPoint Address, Task<(string User, byte[] Request)> Seen) FakeSocksServer(byte reply, bool echoAfter = true, byte[]? boundV4 = null)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var seen = Task.Run(async () =>
        {
            using var _ = listener.Server;
            using var s = await listener.AcceptSocketAsync();
            listener.Stop();
            var buf = new byte[512];
            await ReadExactly(s, buf.AsMemory(0, 3));            // 05 01 02
            Assert.Equal(new byte[] { 5, 1, 2 }, buf[..3]);
            await s.SendAsync(new byte[] { 5, 2 });
            await ReadExactly(s, buf.AsMemory(0, 2));            // 01 ulen
            var ulen = buf[1];
            await ReadExactly(s, buf.AsMemory(0, ulen + 1));
            var user = Encoding.UTF8.GetString(buf, 0, ulen);
            var plen = buf[ulen];
            await ReadExactly(s, buf.AsMemory(0, plen));
            await s.SendAsync(new byte[] { 1, 0 });
            await ReadExactly(s, buf.AsMemory(0, 4));
            var atyp = buf[3];
            int alen;
            if (atyp == 3)
            {
                await ReadExactly(s, buf.AsMemory(4, 1));
                alen = 1 + buf[4];
                await ReadExactly(s, buf.AsMemory(5, alen - 1 + 2));
            }
            else
            {
                alen = atyp == 1 ? 4 : 16;
                await ReadExactly(s, buf.AsMemory(4, alen + 2));
            }
            var request = buf[..(4 + alen + 2)];
            var bound = boundV4 ?? [0, 0, 0, 0];
            await s.SendAsync(new byte[] { 5, reply, 0, 1, bound[0], bound[1], bound[2], bound[3], 0, 0 });
            if (reply == 0 && echoAfter)
            {
                var n = await s.ReceiveAsync(buf);
                await s.SendAsync(buf.AsMemory(0, n));
            }
            return (user, request);
        });
        return ((IPEndPoint)listener.LocalEndpoint, seen);
    }

    private static async Task ReadExactly(Socket s, Memory<byte> m)
    {
        while (m.Length > 0)
        {
            var n = await s.ReceiveAsync(m);
            if (n == 0) throw new EndOfStreamException();
            m = m[n..];
        }
    }

    [Fact]
    public async Task ConnectsWithIsolationCredentialsAndCarriesBytes()
    {
        var (proxy, seen) = FakeSocksServer(0);
        var connector = new Socks5Connector(proxy);
        await using var conn = await connector.ConnectAsync(IPEndPoint.Parse("198.51.100.7:443"), "10.0.3.5", CancellationToken.None);
        await conn.Stream.WriteAsync("ping"u8.ToArray());
        var back = new byte[4];
        await conn.Stream.ReadExactlyAsync(back);
        Assert.Equal("ping", Encoding.ASCII.GetString(back));
        var (user, request) = await seen;
        Assert.Equal("10.0.3.5", user);
        Assert.Equal(new byte[] { 5, 1, 0, 1, 198, 51, 100, 7, 0x01, 0xBB }, request);
    }

    [Fact]
    public async Task AHostNameIsSentAsADomainNameForTheExitToResolve()
    {
        var (proxy, seen) = FakeSocksServer(0, echoAfter: false);
        await using var conn = await new Socks5Connector(proxy).ConnectAsync("www.burrow.test", 443, "k", CancellationToken.None);
        var (_, request) = await seen;
        Assert.Equal(new byte[] { 5, 1, 0, 3, 15 }, request[..5]);
        Assert.Equal("www.burrow.test", Encoding.ASCII.GetString(request, 5, 15));
        Assert.Equal(new byte[] { 0x01, 0xBB }, request[20..]);
    }

    [Fact]
    public async Task ResolveUsesTorsCommandF0AndReturnsTheBoundAddress()
    {
        var (proxy, seen) = FakeSocksServer(0, echoAfter: false, boundV4: [192, 0, 2, 44]);
        Burrow.Core.Dns.IDnsResolver resolver = new Socks5Connector(proxy);
        var lookup = await resolver.ResolveAsync("www.burrow.test", Burrow.Core.Dns.DnsQueryKind.A, "iso|d=www.burrow.test", CancellationToken.None);
        Assert.True(lookup.Succeeded);
        Assert.Equal([IPAddress.Parse("192.0.2.44")], lookup.Addresses);
        var (user, request) = await seen;
        Assert.Equal("iso|d=www.burrow.test", user);
        Assert.Equal(new byte[] { 5, 0xF0, 0, 3, 15 }, request[..5]);
    }

    [Fact]
    public async Task AFailedResolveIsNotFoundNotAnException()
    {
        var (proxy, _) = FakeSocksServer(4);
        Burrow.Core.Dns.IDnsResolver resolver = new Socks5Connector(proxy);
        var lookup = await resolver.ResolveAsync("nx.burrow.test", Burrow.Core.Dns.DnsQueryKind.A, "k", CancellationToken.None);
        Assert.Equal(Burrow.Core.Dns.DnsLookupFailure.NotFound, lookup.Failure);
    }

    [Fact]
    public async Task IPv6DestinationUsesAddressType4()
    {
        var (proxy, seen) = FakeSocksServer(0, echoAfter: false);
        await using (await new Socks5Connector(proxy).ConnectAsync(IPEndPoint.Parse("[2001:db8::1]:80"), "k", CancellationToken.None)) { }
        var (_, request) = await seen;
        Assert.Equal(4, request[3]);
        Assert.Equal(IPAddress.Parse("2001:db8::1").GetAddressBytes(), request[4..20]);
        Assert.Equal(new byte[] { 0, 80 }, request[20..]);
    }

    [Theory]
    [InlineData(2, UpstreamErrorKind.NotAllowed)]
    [InlineData(3, UpstreamErrorKind.NetworkUnreachable)]
    [InlineData(4, UpstreamErrorKind.HostUnreachable)]
    [InlineData(5, UpstreamErrorKind.ConnectionRefused)]
    [InlineData(6, UpstreamErrorKind.Timeout)]
    [InlineData(1, UpstreamErrorKind.Other)]
    public async Task ReplyCodesBecomeTypedErrors(byte code, UpstreamErrorKind kind)
    {
        var (proxy, _) = FakeSocksServer(code);
        var e = await Assert.ThrowsAsync<UpstreamException>(async () =>
            await new Socks5Connector(proxy).ConnectAsync(IPEndPoint.Parse("127.0.0.2:8080"), "k", CancellationToken.None));
        Assert.Equal(kind, e.Kind);
        Assert.Contains("127.0.0.2:8080", e.Message);
    }

    [Fact]
    public async Task NothingListeningIsConnectorUnavailable()
    {
        var free = new TcpListener(IPAddress.Loopback, 0);
        free.Start();
        var ep = (IPEndPoint)free.LocalEndpoint;
        free.Stop();
        var connector = new Socks5Connector(ep);
        var e = await Assert.ThrowsAsync<UpstreamException>(async () =>
            await connector.ConnectAsync(IPEndPoint.Parse("127.0.0.2:80"), "k", CancellationToken.None));
        Assert.Equal(UpstreamErrorKind.ConnectorUnavailable, e.Kind);
        var s = await Assert.ThrowsAsync<UpstreamException>(() => connector.StartAsync(null, CancellationToken.None));
        Assert.Contains("upstream.socks5", s.Message);
    }

    [Fact]
    public async Task NonSocksServerIsAProtocolError()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var server = Task.Run(async () =>
        {
            using var s = await listener.AcceptSocketAsync();
            await s.SendAsync("HTTP/1.0 400 Bad Request\r\n\r\n"u8.ToArray());
            // Hold the connection until the connector gives up on it (EOF or reset), not for a guessed time.
            try { while (await s.ReceiveAsync(new byte[64]) > 0) { } }
            catch (SocketException) { }
        });
        var e = await Assert.ThrowsAsync<UpstreamException>(async () =>
            await new Socks5Connector((IPEndPoint)listener.LocalEndpoint).ConnectAsync(IPEndPoint.Parse("127.0.0.2:80"), "k", CancellationToken.None));
        Assert.Equal(UpstreamErrorKind.ProtocolError, e.Kind);
        await server;
        listener.Stop();
    }
}
