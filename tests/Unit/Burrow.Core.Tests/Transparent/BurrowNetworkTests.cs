using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Burrow.Core.Configuration;
using Burrow.Core.Flows;
using Burrow.Core.Networks;
using Burrow.Core.Recovery;
using Burrow.Core.Transparent;
using Burrow.Core.Upstreams;
using Burrow.Tests;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Core.Tests.Transparent;

/// <summary>The network's connection handling over loopback with a fake resolver (the kernel
/// redirect path is covered by the integration tests in the test namespace).</summary>
public class BurrowNetworkTests
{
    private static BurrowOptions Options() => new() { TcpStack = new TcpStackSection { Listen = IPEndPoint.Parse("127.0.0.1:0") } };

    private static BurrowNetwork Network(IOriginalDestinationResolver resolver, ITorConnector connector, TimeProvider? time = null)
        => new("t" + Guid.NewGuid().ToString("N")[..8], Options(), connector, resolver, NullLoggerFactory.Instance, time)
        { IdleTimeout = TimeSpan.FromMinutes(1) };

    private static async Task<FlowInfo> WaitForEnd(BurrowNetwork network, Func<FlowInfo, bool>? which = null)
    {
        for (var i = 0; i < 500; i++)
        {
            var ended = network.Flows.Snapshot().FirstOrDefault(f => f.End != null && (which?.Invoke(f) ?? true));
            if (ended != null) return ended;
            await Task.Delay(20);
        }
        throw new TimeoutException("no flow ended");
    }

    /// <summary>Sends <paramref name="payload"/> through the network to a <see cref="ReverseServer"/>, half-closes,
    /// and checks that the answer is the payload reversed.</summary>
    private static async Task AssertReversedAsync(BurrowNetwork network, byte[] payload)
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(network.ListenEndPoint!);
        var sent = 0;
        while (sent < payload.Length) sent += await client.SendAsync(payload.AsMemory(sent));
        client.Shutdown(SocketShutdown.Send);
        var ms = new MemoryStream();
        var buf = new byte[65536];
        int n;
        while ((n = await client.ReceiveAsync(buf)) > 0) ms.Write(buf, 0, n);
        var reversed = payload.Reverse().ToArray();
        Assert.Equal(SHA256.HashData(reversed), SHA256.HashData(ms.ToArray()));
    }

    [Fact]
    public async Task ForwardsBytesBothWaysWithHalfCloseAndCountsThem()
    {
        using var server = new ReverseServer();
        var network = Network(new FixedResolver(_ => RecoveryResult.Found(server.EndPoint, "FAKE")), new DirectConnector());
        await network.StartAsync(null, CancellationToken.None);
        try
        {
            Assert.Same(network, BurrowNetworkRegistry.Find(network.Name));
            var payload = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
            await AssertReversedAsync(network, payload);

            var flow = await WaitForEnd(network);
            Assert.Equal(FlowState.Closed, flow.State);
            Assert.Equal(payload.Length, flow.BytesUp);
            Assert.Equal(payload.Length, flow.BytesDown);
            Assert.Equal(server.EndPoint, flow.Destination);
            Assert.Equal("FAKE", flow.Method);
            Assert.Equal("both sides closed", flow.EndReason);
            Assert.Equal(FlowEndKind.Completed, flow.EndKind);
        }
        finally { await network.StopAsync(); }
        Assert.Null(BurrowNetworkRegistry.Find(network.Name));
        Assert.Equal(BurrowNetworkState.Stopped, network.State);
    }

    [Theory]
    [InlineData(40, 40)]                                            // a request that fits: all of it early
    [InlineData(200_000, Burrow.Tor.Client.OptimisticData.DefaultCapacity)] // an upload: the buffer's worth early, the rest by the copy
    public async Task What_the_client_sends_while_the_stream_opens_goes_first_exactly_once(int size, int early)
    {
        using var server = new ReverseServer();
        var connector = new EarlyDataConnector(waitFor: early);
        var network = Network(new FixedResolver(_ => RecoveryResult.Found(server.EndPoint, "FAKE")), connector);
        await network.StartAsync(null, CancellationToken.None);
        try
        {
            var payload = RandomNumberGenerator.GetBytes(size);
            await AssertReversedAsync(network, payload);
            Assert.Equal(early, connector.EarlyBytes);

            var flow = await WaitForEnd(network);
            Assert.Equal(FlowEndKind.Completed, flow.EndKind);
            Assert.Equal(size, flow.BytesUp);
            Assert.Equal(size, flow.BytesDown);
        }
        finally { await network.StopAsync(); }
    }

    [Fact]
    public async Task NotRedirectedConnectionIsResetAndNeverForwarded()
    {
        var connector = new DirectConnector();
        var network = Network(new FixedResolver(_ => RecoveryResult.NotRedirected("FAKE", "no NAT state")), connector);
        await network.StartAsync(null, CancellationToken.None);
        try
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            // The reset may already surface at connect (the RST can beat the connect completion) or later.
            var e = await Assert.ThrowsAnyAsync<SocketException>(async () =>
            {
                await client.ConnectAsync(network.ListenEndPoint!);
                var buf = new byte[16];
                for (var i = 0; i < 50; i++) { await client.SendAsync(new byte[1]); await Task.Delay(10); if (await client.ReceiveAsync(buf) == 0) break; }
            });
            Assert.Equal(SocketError.ConnectionReset, e.SocketErrorCode);
            var flow = await WaitForEnd(network);
            Assert.Equal(FlowState.Refused, flow.State);
            Assert.Equal("not redirected", flow.EndReason);
            Assert.Equal(FlowEndKind.NotRedirected, flow.EndKind);
            Assert.Equal("no NAT state", flow.Error);
            Assert.Equal(0, connector.Connects);
        }
        finally { await network.StopAsync(); }
    }

    [Fact]
    public async Task UpstreamFailureResetsTheClientAndSaysWhy()
    {
        var connector = new DirectConnector(new UpstreamException(UpstreamErrorKind.ConnectionRefused, "connection refused by 127.0.0.2:9 (SOCKS reply 5)"));
        var network = Network(new FixedResolver(_ => RecoveryResult.Found(IPEndPoint.Parse("127.0.0.2:9"), "FAKE")), connector);
        await network.StartAsync(null, CancellationToken.None);
        try
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            var e = await Assert.ThrowsAnyAsync<SocketException>(async () =>
            {
                await client.ConnectAsync(network.ListenEndPoint!);
                var buf = new byte[16];
                if (await client.ReceiveAsync(buf) == 0) throw new InvalidOperationException("closed cleanly instead of reset");
            });
            Assert.Equal(SocketError.ConnectionReset, e.SocketErrorCode);
            var flow = await WaitForEnd(network);
            Assert.Equal(FlowState.Failed, flow.State);
            Assert.Equal("upstream ConnectionRefused", flow.EndReason);
            Assert.Equal(FlowEndKind.UpstreamConnectFailed, flow.EndKind);
            Assert.Equal(UpstreamErrorKind.ConnectionRefused, flow.UpstreamError);
            Assert.Contains("SOCKS reply 5", flow.Error);
        }
        finally { await network.StopAsync(); }
    }

    [Fact]
    public async Task IdleFlowIsEnded()
    {
        using var server = new ReverseServer();
        var time = new ManualTimeProvider();
        var network = Network(new FixedResolver(_ => RecoveryResult.Found(server.EndPoint, "FAKE")), new DirectConnector(), time);
        await network.StartAsync(null, CancellationToken.None);
        try
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(network.ListenEndPoint!);
            // The copy loop's activity timer exists once the flow is open; then only the manual clock moves it.
            for (var i = 0; i < 500 && time.ActiveTimers == 0; i++) await Task.Delay(10);
            Assert.Equal(FlowState.Open, Assert.Single(network.Flows.Snapshot()).State);

            time.Advance(TimeSpan.FromSeconds(59));
            Assert.Equal(FlowState.Open, Assert.Single(network.Flows.Snapshot()).State);
            time.Advance(TimeSpan.FromSeconds(16));

            var flow = await WaitForEnd(network);
            Assert.Equal(FlowState.Closed, flow.State);
            Assert.Equal(FlowEndKind.IdleTimeout, flow.EndKind);
            Assert.Equal("idle for 60 s", flow.EndReason);
        }
        finally { await network.StopAsync(); }
    }

    [Fact]
    public async Task StopEndsOpenFlowsAndFreesThePort()
    {
        using var server = new ReverseServer();
        var network = Network(new FixedResolver(_ => RecoveryResult.Found(server.EndPoint, "FAKE")), new DirectConnector());
        await network.StartAsync(null, CancellationToken.None);
        var listen = network.ListenEndPoint!;
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listen);
        await client.SendAsync("hello"u8.ToArray());
        for (var i = 0; i < 500 && network.Flows.Snapshot().All(f => f.BytesUp != 5); i++) await Task.Delay(10);
        await network.StopAsync();
        var flow = Assert.Single(network.Flows.Snapshot());
        Assert.Equal(FlowState.Closed, flow.State);
        Assert.Equal("network stopped", flow.EndReason);
        Assert.Equal(5, flow.BytesUp);
        using var again = new TcpListener(listen);
        again.Start(); // the port is free again
        again.Stop();
        // The client sees its connection end (EOF or reset), not a hang.
        var end = await client.ReceiveAsync(new byte[8]).ContinueWith(t => t.IsFaulted ? 0 : t.Result);
        Assert.Equal(0, end);
    }

    [Fact]
    public async Task SameNameCannotRunTwice()
    {
        var a = Network(new FixedResolver(_ => RecoveryResult.NotRedirected("FAKE", "x")), new DirectConnector());
        var b = new BurrowNetwork(a.Name, Options(), new DirectConnector(), new FixedResolver(_ => RecoveryResult.NotRedirected("FAKE", "x")), NullLoggerFactory.Instance);
        await a.StartAsync(null, CancellationToken.None);
        try
        {
            var e = await Assert.ThrowsAsync<InvalidOperationException>(() => b.StartAsync(null, CancellationToken.None));
            Assert.Contains("already running", e.Message);
        }
        finally { await a.StopAsync(); }
    }

    [Fact]
    public async Task ListenAddressInUseIsAClearError()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var options = new BurrowOptions { TcpStack = new TcpStackSection { Listen = (IPEndPoint)busy.LocalEndpoint } };
        var connector = new DirectConnector();
        var resolver = new FixedResolver(_ => RecoveryResult.NotRedirected("FAKE", "x"));
        var network = new BurrowNetwork("busy" + Guid.NewGuid().ToString("N")[..6], options, connector, resolver, NullLoggerFactory.Instance);
        var e = await Assert.ThrowsAsync<ListenerException>(() => network.StartAsync(null, CancellationToken.None));
        Assert.Contains("tcp_stack.listen", e.Message);
        Assert.Contains("already in use", e.Message);
        Assert.Equal(BurrowNetworkState.Failed, network.State);
        Assert.Null(BurrowNetworkRegistry.Find(network.Name));
        // The listener was the last part: the ones started before it were stopped again.
        Assert.True(connector.Disposed);
        Assert.True(resolver.Disposed);
    }

    [Fact]
    public async Task ProbeIsRecognisedAndNeverForwarded()
    {
        var connector = new DirectConnector();
        BurrowNetwork? network = null;
        // The fake resolver reports the listener's own address as the original destination, the
        // way a probe aimed straight at it would look once redirected.
        network = Network(new FixedResolver(s => RecoveryResult.Found((IPEndPoint)s.LocalEndPoint!, "FAKE")), connector);
        await network.StartAsync(null, CancellationToken.None);
        try
        {
            var result = await RedirectTester.TestAsync(network, network.ListenEndPoint!, TimeSpan.FromSeconds(5), CancellationToken.None);
            Assert.True(result.Redirected, result.Detail);
            Assert.Equal(network.ListenEndPoint, result.Observed);
            Assert.Equal("FAKE", result.Method);
            Assert.Empty(network.Flows.Snapshot());
            Assert.Equal(0, connector.Connects);
        }
        finally { await network.StopAsync(); }
    }

    [Fact]
    public async Task ConnectionFromAProbesPortOnAnotherAddressIsForwarded()
    {
        using var server = new ReverseServer();
        var connector = new DirectConnector();
        var network = Network(new FixedResolver(_ => RecoveryResult.Found(server.EndPoint, "FAKE")), connector);
        await network.StartAsync(null, CancellationToken.None);
        try
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)client.LocalEndPoint!).Port;
            // A probe in flight from the same port on another loopback address.
            using var probe = ProbeRegistry.Register(new IPEndPoint(IPAddress.Parse("127.0.0.2"), port));

            await client.ConnectAsync(network.ListenEndPoint!);
            await client.SendAsync("ping"u8.ToArray());
            client.Shutdown(SocketShutdown.Send);
            var ms = new MemoryStream();
            var buf = new byte[64];
            int n;
            while ((n = await client.ReceiveAsync(buf)) > 0) ms.Write(buf, 0, n);

            Assert.Equal("gnip"u8.ToArray(), ms.ToArray());
            var flow = await WaitForEnd(network);
            Assert.Equal(FlowState.Closed, flow.State);
            Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), flow.Source);
            Assert.Equal(1, connector.Connects);
            Assert.False(probe.Seen.IsCompleted);
        }
        finally { await network.StopAsync(); }
    }

    [Fact]
    public async Task ProbeThatReachesNoListenerIsNotRedirected()
    {
        var network = Network(new FixedResolver(_ => RecoveryResult.NotRedirected("FAKE", "x")), new DirectConnector());
        await network.StartAsync(null, CancellationToken.None);
        try
        {
            using var other = new TcpListener(IPAddress.Loopback, 0); // something else answers
            other.Start();
            var result = await RedirectTester.TestAsync(network, (IPEndPoint)other.LocalEndpoint, TimeSpan.FromSeconds(2), CancellationToken.None);
            Assert.False(result.Redirected);
            Assert.Contains("no Burrow listener saw the probe", result.Detail);

            var closed = new TcpListener(IPAddress.Loopback, 0);
            closed.Start();
            var port = ((IPEndPoint)closed.LocalEndpoint).Port;
            closed.Stop();
            var refused = await RedirectTester.TestAsync(network, new IPEndPoint(IPAddress.Loopback, port), TimeSpan.FromSeconds(2), CancellationToken.None);
            Assert.False(refused.Redirected);
            Assert.Contains("connection refused", refused.Detail);
        }
        finally { await network.StopAsync(); }
    }
}
