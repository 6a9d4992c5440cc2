using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Burrow.Core.Flows;
using Burrow.Core.Networks;
using Burrow.Tests;

using static Burrow.Core.Tests.Integration.PathTestClient;

namespace Burrow.Core.Tests.Integration;

/// <summary>
/// The whole transparent path for real, once per upstream (the subclasses say which): an nft REDIRECT
/// in the test namespace, SO_ORIGINAL_DST, and streams through the private network's relays. The tor
/// processes run as their own user, exempted from the rule so the exit's own connection to the HTTP
/// server is not redirected back into Burrow.
/// </summary>
public abstract class TransparentPathTests
{
    /// <summary>A started network with the upstream under test, listening on 127.0.0.1:0.</summary>
    private protected abstract Task<BurrowNetwork> StartNetworkAsync(TestNetwork tn);

    /// <summary>What the upstream says of itself and of a flow's circuit.</summary>
    private protected abstract void CheckUpstream(BurrowNetwork network, FlowInfo flow, TestNetwork tn);

    private async Task<(BurrowNetwork Network, NftTable Nft, TestNetwork Tn)> StartAsync(params int[] ports)
    {
        TestNamespace.Require();
        var tn = PrivateTorNetwork.Get();
        var network = await StartNetworkAsync(tn);
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
            CheckUpstream(network, flow, tn);
            Assert.True(nft.Packets() > 0);
        }
        finally { await network.StopAsync(); }
    }

    [Fact]
    public async Task AKeepAliveClientThatClosesEndsItsFlowAtOnce()
    {
        // HTTP/1.1 keep-alive: the server keeps its side open after the response. The client reads the
        // body and closes; its EOF must end the Tor stream (END, as C tor does) so the exit closes the
        // server connection and the flow ends now, not at the idle timeout.
        var (network, nft, tn) = await StartAsync();
        using var _ = nft;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            using (var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                await s.ConnectAsync(tn.HttpEndPoint, cts.Token);
                await s.SendAsync(Encoding.ASCII.GetBytes($"GET /small HTTP/1.1\r\nHost: {tn.HttpEndPoint}\r\n\r\n"), cts.Token);
                var ms = new MemoryStream();
                var buf = new byte[16384];
                while (ms.Length < tn.Http.SmallSize || ms.ToArray().AsSpan().IndexOf("\r\n\r\n"u8) < 0
                       || ms.Length - ms.ToArray().AsSpan().IndexOf("\r\n\r\n"u8) - 4 < tn.Http.SmallSize)
                {
                    var n = await s.ReceiveAsync(buf, cts.Token);
                    Assert.NotEqual(0, n); // keep-alive: the server must not have closed first
                    ms.Write(buf, 0, n);
                }
                s.Shutdown(SocketShutdown.Send);
            }
            var flow = Assert.Single(await WaitForEndedAsync(network, 1));
            Assert.Equal(FlowState.Closed, flow.State);
            Assert.Equal("both sides closed", flow.EndReason);
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
                await HttpGetAsync(target, "/", cts.Token);
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
