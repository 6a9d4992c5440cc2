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

using static Burrow.Core.Tests.Integration.PathTestClient;

namespace Burrow.Core.Tests.Integration;

/// <summary>
/// The whole transparent path for real: an nft REDIRECT in the test namespace, SO_ORIGINAL_DST, and
/// the private network's C tor SocksPort as the upstream (the in-process client replaces it later).
/// The tor processes run as their own user, exempted from the rule so the exit's own connection to
/// the HTTP server is not redirected back into Burrow.
/// </summary>
[Collection(NftCollection.Name)]
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
