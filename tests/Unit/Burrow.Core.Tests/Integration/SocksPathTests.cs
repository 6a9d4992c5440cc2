using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Burrow.Core.Configuration;
using Burrow.Core.Flows;
using Burrow.Core.Networks;
using Burrow.Core.Recovery.Linux;
using Burrow.Core.Upstreams;
using Burrow.Tests;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Core.Tests.Integration;

/// <summary>
/// The whole transparent path for real: an nft REDIRECT in the test namespace, SO_ORIGINAL_DST, and
/// the private network's C tor SocksPort as the upstream (the in-process client replaces it later).
/// The tor processes run as their own user, exempted from the rule so the exit's own connection to
/// the HTTP server is not redirected back into Burrow.
/// </summary>
public class SocksPathTests
{
    private static async Task<(TorNetwork Network, NftTable Nft, TestNetwork Tn)> StartAsync(params int[] ports)
    {
        TestNamespace.Require();
        var tn = PrivateTorNetwork.Get();
        var options = new TorNetworkOptions
        {
            TcpStack = new TcpStackSection { Listen = IPEndPoint.Parse("127.0.0.1:0") },
            Upstream = new UpstreamSection { Kind = UpstreamKind.Socks5, Socks5Address = tn.SocksEndPoint },
        };
        var network = new TorNetwork("s" + Guid.NewGuid().ToString("N")[..8], options, new Socks5Connector(tn.SocksEndPoint),
            new SoOriginalDstResolver(), NullLoggerFactory.Instance);
        await network.StartAsync(null, CancellationToken.None);
        var portSet = string.Join(", ", ports.Length == 0 ? [tn.Http.Port] : ports);
        var nft = new NftTable("ip", $"meta skuid != {tn.TorUid} ip daddr {tn.Http.Address} tcp dport {{ {portSet} }} counter redirect to :{network.ListenEndPoint!.Port}");
        return (network, nft, tn);
    }

    /// <summary>A plain HTTP/1.0 GET over a socket; returns request bytes sent, all bytes received and the body.</summary>
    private static async Task<(int Sent, int Received, byte[] Body)> HttpGetAsync(IPEndPoint server, string path, CancellationToken ct)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await s.ConnectAsync(server, ct);
        var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.0\r\nHost: {server}\r\n\r\n");
        await s.SendAsync(request, ct);
        var ms = new MemoryStream();
        var buf = new byte[128 * 1024];
        int n;
        while ((n = await s.ReceiveAsync(buf, ct)) > 0) ms.Write(buf, 0, n);
        var all = ms.ToArray();
        var split = all.AsSpan().IndexOf("\r\n\r\n"u8);
        Assert.True(split > 0, "no HTTP header in the answer");
        Assert.StartsWith("HTTP/1.", Encoding.ASCII.GetString(all, 0, 8));
        return (request.Length, all.Length, all[(split + 4)..]);
    }

    private static async Task<IReadOnlyList<FlowInfo>> WaitForEndedAsync(TorNetwork network, int count)
    {
        for (var i = 0; i < 3000; i++)
        {
            var ended = network.Flows.Snapshot().Where(f => f.End != null).ToList();
            if (ended.Count >= count) return ended;
            await Task.Delay(20);
        }
        throw new TimeoutException($"fewer than {count} flows ended");
    }

    [Fact]
    public async Task LargeDownloadIsByteExactAndEveryByteIsCounted()
    {
        var (network, nft, tn) = await StartAsync();
        using var _ = nft;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            var (sent, received, body) = await HttpGetAsync(tn.HttpEndPoint, "/large", cts.Token);
            Assert.Equal(tn.Http.LargeSize, body.Length);
            Assert.Equal(tn.Http.LargeSha256, Convert.ToHexStringLower(SHA256.HashData(body)));

            var flow = Assert.Single(await WaitForEndedAsync(network, 1));
            Assert.Equal(FlowState.Closed, flow.State);
            Assert.Equal(tn.HttpEndPoint, flow.Destination);
            Assert.Equal("SO_ORIGINAL_DST", flow.Method);
            Assert.Equal(sent, flow.BytesUp);
            Assert.Equal(received, flow.BytesDown);
            Assert.True(nft.Packets() > 0);
        }
        finally { await network.StopAsync(); }
    }

    [Fact]
    public async Task TwoHundredConcurrentFlowsAllComplete()
    {
        var (network, nft, tn) = await StartAsync();
        using var _ = nft;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => HttpGetAsync(tn.HttpEndPoint, "/small", cts.Token)));
            Assert.All(results, r => Assert.Equal(tn.Http.SmallSha256, Convert.ToHexStringLower(SHA256.HashData(r.Body))));

            var flows = await WaitForEndedAsync(network, 200);
            Assert.Equal(200, flows.Count);
            Assert.All(flows, f => Assert.Equal(FlowState.Closed, f.State));
            Assert.Equal(results.Sum(r => (long)r.Received), flows.Sum(f => f.BytesDown));
            Assert.Equal(results.Sum(r => (long)r.Sent), flows.Sum(f => f.BytesUp));
            Assert.Equal(200, flows.Select(f => f.Id).Distinct().Count());
        }
        finally { await network.StopAsync(); }
    }

    [Fact]
    public async Task ARefusalThroughTorResetsTheClientAndTheFlowSaysWhy()
    {
        var closed = new TcpListener(IPAddress.Parse("127.0.0.2"), 0);
        closed.Start();
        var closedPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var (network, nft, tn) = await StartAsync(closedPort);
        using var _ = nft;
        try
        {
            var target = new IPEndPoint(IPAddress.Parse(tn.Http.Address), closedPort);
            var e = await Assert.ThrowsAnyAsync<SocketException>(async () =>
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                var (_, received, _) = await HttpGetAsync(target, "/", cts.Token);
            });
            Assert.Equal(SocketError.ConnectionReset, e.SocketErrorCode);
            var flow = Assert.Single(await WaitForEndedAsync(network, 1));
            Assert.Equal(FlowState.Failed, flow.State);
            Assert.StartsWith("upstream ", flow.EndReason);
            Assert.Equal(target, flow.Destination);
        }
        finally { await network.StopAsync(); }
    }
}
