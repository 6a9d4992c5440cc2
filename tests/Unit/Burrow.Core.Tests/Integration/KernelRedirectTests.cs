using System.Net;
using System.Net.Sockets;
using Burrow.Core.Configuration;
using Burrow.Core.Flows;
using Burrow.Core.Networks;
using Burrow.Core.Recovery;
using Burrow.Core.Recovery.Linux;
using Burrow.Core.Tests.Transparent;
using Burrow.Core.Transparent;
using Burrow.Core.Upstreams;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Core.Tests.Integration;

/// <summary>
/// Real nft REDIRECT rules in the test namespace and the real SO_ORIGINAL_DST resolver. The upstream
/// is a stand-in that always reaches one local server (connecting to the recovered destination
/// would be redirected again); the Tor path itself is covered by the private-network tests.
/// </summary>
[Trait("Category", "Integration")]
[Collection(NftCollection.Name)]
public class KernelRedirectTests
{
    private sealed class FixedTargetConnector(IPEndPoint target) : ITorConnector
    {
        public readonly List<IPEndPoint> Asked = [];
        public string Description => "fixed target (test)";
        public Task StartAsync(IProgress<UpstreamProgress>? progress, CancellationToken cancellationToken) => Task.CompletedTask;
        public async ValueTask<UpstreamConnection> ConnectAsync(IPEndPoint destination, string isolationKey, CancellationToken ct)
        {
            lock (Asked) Asked.Add(destination);
            var s = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await s.ConnectAsync(target, ct);
            return new SocketUpstreamConnection(s);
        }
        public ValueTask<UpstreamConnection> ConnectAsync(string host, int port, string isolationKey, CancellationToken ct)
            => throw new UpstreamException(UpstreamErrorKind.Other, "this test connects by address only");
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static async Task<(BurrowNetwork Network, FixedTargetConnector Connector)> StartAsync(string listen, IPEndPoint target)
    {
        var options = new BurrowOptions { TcpStack = new TcpStackSection { Listen = IPEndPoint.Parse(listen) } };
        var connector = new FixedTargetConnector(target);
        var network = new BurrowNetwork("k" + Guid.NewGuid().ToString("N")[..8], options, connector, new SoOriginalDstResolver(), NullLoggerFactory.Instance);
        await network.StartAsync(null, CancellationToken.None);
        return (network, connector);
    }

    private static async Task<byte[]> RoundTripAsync(IPEndPoint destination, byte[] payload)
    {
        using var client = new Socket(destination.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(destination);
        await client.SendAsync(payload);
        client.Shutdown(SocketShutdown.Send);
        var ms = new MemoryStream();
        var buf = new byte[8192];
        int n;
        while ((n = await client.ReceiveAsync(buf)) > 0) ms.Write(buf, 0, n);
        return ms.ToArray();
    }

    private static async Task<FlowInfo> EndedFlowAsync(BurrowNetwork network)
    {
        for (var i = 0; i < 500; i++)
        {
            if (network.Flows.Snapshot().FirstOrDefault(f => f.End != null) is { } f) return f;
            await Task.Delay(20);
        }
        throw new TimeoutException("no flow ended");
    }

    [Theory]
    [InlineData("127.0.0.1:0", "ip", "127.0.0.3", "127.0.0.3:7777")]
    [InlineData("[::]:0", "ip", "127.0.0.3", "127.0.0.3:7777")]          // dual-stack listener, IPv4-mapped: SOL_IP call
    [InlineData("[::1]:0", "ip6", "fd00:b0::2", "[fd00:b0::2]:7777")]    // IPv6: IP6T_SO_ORIGINAL_DST
    public async Task RedirectedConnectionIsRecoveredAndForwarded(string listen, string family, string address, string destination)
    {
        TestNamespace.Require();
        using var server = new ReverseServer();
        var (network, connector) = await StartAsync(listen, server.EndPoint);
        try
        {
            var port = network.ListenEndPoint!.Port;
            var match = family == "ip" ? $"ip daddr {address}" : $"ip6 daddr {address}";
            using var nft = new NftTable(family, $"{match} tcp dport 7777 counter redirect to :{port}");
            var back = await RoundTripAsync(IPEndPoint.Parse(destination), "burrow"u8.ToArray());
            Assert.Equal("worrub", System.Text.Encoding.ASCII.GetString(back));

            var flow = await EndedFlowAsync(network);
            Assert.Equal(IPEndPoint.Parse(destination), flow.Destination);
            Assert.Equal(SoOriginalDstResolver.MethodName, flow.Method);
            Assert.Equal(FlowState.Closed, flow.State);
            Assert.Equal(6, flow.BytesUp);
            Assert.Equal(6, flow.BytesDown);
            Assert.Equal([IPEndPoint.Parse(destination)], connector.Asked);
            Assert.True(nft.Packets() > 0, "the nft rule counted no packet");
        }
        finally { await network.StopAsync(); }
    }

    [Fact]
    public async Task WithoutTheRuleNothingReachesTheListener()
    {
        TestNamespace.Require();
        using var server = new ReverseServer();
        var (network, connector) = await StartAsync("127.0.0.1:0", server.EndPoint);
        try
        {
            var e = await Assert.ThrowsAnyAsync<SocketException>(() => RoundTripAsync(IPEndPoint.Parse("127.0.0.3:7777"), [1]));
            Assert.Equal(SocketError.ConnectionRefused, e.SocketErrorCode);
            Assert.Empty(network.Flows.Snapshot());
            Assert.Empty(connector.Asked);
        }
        finally { await network.StopAsync(); }
    }

    [Fact]
    public async Task DirectConnectionToTheListenerIsRefusedNotForwarded()
    {
        TestNamespace.Require();
        using var server = new ReverseServer();
        var (network, connector) = await StartAsync("127.0.0.1:0", server.EndPoint);
        try
        {
            await Assert.ThrowsAnyAsync<SocketException>(async () =>
            {
                var back = await RoundTripAsync(network.ListenEndPoint!, [1, 2, 3]);
                if (back.Length == 0) throw new SocketException((int)SocketError.ConnectionReset);
            });
            var flow = await EndedFlowAsync(network);
            Assert.Equal(FlowState.Refused, flow.State);
            Assert.Empty(connector.Asked);
        }
        finally { await network.StopAsync(); }
    }

    [Fact]
    public async Task ProbeThroughARealRedirectIsSeenWithItsOriginalDestination()
    {
        TestNamespace.Require();
        using var server = new ReverseServer();
        var (network, connector) = await StartAsync("127.0.0.1:0", server.EndPoint);
        try
        {
            var without = await RedirectTester.TestAsync(network, RedirectTester.DefaultDestination, TimeSpan.FromSeconds(1), CancellationToken.None);
            Assert.False(without.Redirected);
            using (new NftTable("ip", $"ip daddr 198.51.100.7 tcp dport 443 counter redirect to :{network.ListenEndPoint!.Port}"))
            {
                var with = await RedirectTester.TestAsync(network, RedirectTester.DefaultDestination, TimeSpan.FromSeconds(5), CancellationToken.None);
                Assert.True(with.Redirected, with.Detail);
                Assert.Equal(RedirectTester.DefaultDestination, with.Observed);
                Assert.Equal("SO_ORIGINAL_DST", with.Method);
            }
            Assert.Empty(network.Flows.Snapshot());
            Assert.Empty(connector.Asked);
        }
        finally { await network.StopAsync(); }
    }
}
