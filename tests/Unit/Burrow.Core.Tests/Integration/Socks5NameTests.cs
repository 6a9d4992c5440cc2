using System.Net;
using System.Security.Cryptography;
using System.Text;
using Burrow.Core.Dns;
using Burrow.Core.Upstreams;
using Burrow.Tests;

namespace Burrow.Core.Tests.Integration;

/// <summary>The SOCKS upstream's name operations against the private network's C tor SocksPort: RESOLVE (0xF0)
/// answered through an exit and the testnet DNS stub, and CONNECT by name.</summary>
[Trait("Category", "Integration")]
public sealed class Socks5NameTests
{
    [Fact]
    public async Task ResolveAndConnectByNameGoThroughTor()
    {
        var tn = PrivateTorNetwork.Get();
        var connector = new Socks5Connector(tn.SocksEndPoint);
        IDnsResolver resolver = connector;
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var found = await resolver.ResolveAsync("www.burrow.test", DnsQueryKind.A, "iso|d=www.burrow.test", cts.Token);
        Assert.True(found.Succeeded, found.Detail);
        Assert.Equal([IPAddress.Parse(tn.Http.Address)], found.Addresses);

        var missing = await resolver.ResolveAsync("nx.burrow.test", DnsQueryKind.A, "iso|d=nx.burrow.test", cts.Token);
        Assert.Equal(DnsLookupFailure.NotFound, missing.Failure);

        await using var conn = await connector.ConnectAsync("www.burrow.test", tn.Http.Port, "iso|d=www.burrow.test", cts.Token);
        await conn.Stream.WriteAsync(Encoding.ASCII.GetBytes("GET /small HTTP/1.0\r\nHost: www.burrow.test\r\n\r\n"), cts.Token);
        var ms = new MemoryStream();
        await conn.Stream.CopyToAsync(ms, cts.Token);
        var all = ms.ToArray();
        var body = all[(all.AsSpan().IndexOf("\r\n\r\n"u8) + 4)..];
        Assert.Equal(tn.Http.SmallSha256, Convert.ToHexStringLower(SHA256.HashData(body)));
    }
}
