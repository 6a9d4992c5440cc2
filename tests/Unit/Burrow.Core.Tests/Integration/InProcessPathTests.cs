using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Burrow.Core.Configuration;
using Burrow.Core.Flows;
using Burrow.Core.Networks;
using Burrow.Tests;
using Burrow.Tor.Client;
using Microsoft.Extensions.Logging.Abstractions;

using static Burrow.Core.Tests.Integration.PathTestClient;

namespace Burrow.Core.Tests.Integration;

/// <summary>
/// The whole transparent path with the built-in Tor client as the upstream (the default): an nft
/// REDIRECT in the test namespace, SO_ORIGINAL_DST, and streams through the private network's relays.
/// The client's own relay connections go to 127.0.0.1, which the rule does not match.
/// </summary>
[Collection(NftCollection.Name)]
public sealed class InProcessPathTests : IDisposable
{
    private readonly string _dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "burrow-inproc-path-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<(TorNetwork Network, NftTable Nft, TestNetwork Tn)> StartAsync(params int[] ports)
    {
        TestNamespace.Require();
        var tn = PrivateTorNetwork.Get();
        var options = new TorNetworkOptions
        {
            TcpStack = new TcpStackSection { Listen = IPEndPoint.Parse("127.0.0.1:0") },
            Arti = new ArtiSection
            {
                StateDir = System.IO.Path.Combine(_dir, "state"),
                CacheDir = System.IO.Path.Combine(_dir, "cache"),
                Authorities = tn.Authorities.Select(a => new DirAuthority(a.Nickname, a.V3ident)).ToList(),
                FallbackCaches = tn.Authorities.Select(a => new FallbackDir(a.Fingerprint, a.Ed25519Id, [new IPEndPoint(IPAddress.Parse(a.Address), a.OrPort)])).ToList(),
                Ipv4SubnetFamilyPrefix = 33,
            },
        };
        Assert.Equal(UpstreamKind.InProcess, options.Upstream.Kind);
        var network = TorNetwork.Create("i" + Guid.NewGuid().ToString("N")[..8], options, NullLoggerFactory.Instance);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await network.StartAsync(null, cts.Token);
        var portSet = string.Join(", ", ports.Length == 0 ? [tn.Http.Port] : ports);
        var nft = new NftTable("ip", $"meta skuid != {tn.TorUid} ip daddr {tn.Http.Address} tcp dport {{ {portSet} }} counter redirect to :{network.ListenEndPoint!.Port}");
        return (network, nft, tn);
    }

    [Fact]
    public async Task LargeDownloadThroughTheBuiltInClientIsByteExact()
    {
        var (network, nft, tn) = await StartAsync();
        using var _ = nft;
        try
        {
            Assert.Equal("in-process Tor client", network.Upstream);
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            var (sent, received, body) = await HttpGetAsync(tn.HttpEndPoint, "/large", cts.Token);
            Assert.Equal(tn.Http.LargeSize, body.Length);
            Assert.Equal(tn.Http.LargeSha256, Convert.ToHexStringLower(SHA256.HashData(body)));
            var flow = Assert.Single(await WaitForEndedAsync(network, 1));
            Assert.Equal(FlowState.Closed, flow.State);
            Assert.Equal(tn.HttpEndPoint, flow.Destination);
            Assert.Equal(sent, flow.BytesUp);
            Assert.Equal(received, flow.BytesDown);
            Assert.Contains(tn.Exits, e => flow.Circuit == $"{e.Nickname} ({e.Fingerprint[..8]}..)");
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
                await s.SendAsync(System.Text.Encoding.ASCII.GetBytes($"GET /small HTTP/1.1\r\nHost: {tn.HttpEndPoint}\r\n\r\n"), cts.Token);
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
        }
        finally { await network.StopAsync(); }
    }

    [Fact]
    public async Task ARefusalResetsTheClientAndTheFlowSaysWhy()
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
        }
        finally { await network.StopAsync(); }
    }
}
