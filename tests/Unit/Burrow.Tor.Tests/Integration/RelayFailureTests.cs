using System.Diagnostics;
using Burrow.Tests;
using Burrow.Tor.Channels;
using Burrow.Tor.Circuits;
using Burrow.Tor.NetDir;
using Burrow.Tor.Streams;
using Xunit.Abstractions;

namespace Burrow.Tor.Tests.Integration;

/// <summary>A relay dies in the middle of a transfer. This runs on a network of its own (its own base port
/// and folder), never on the shared one whose relays other tests use.</summary>
[Trait("Category", "Integration")]
[Collection(WireNetworkCollection.Name)]
[Trait("Category", "Integration")]
public sealed class RelayFailureTests(ITestOutputHelper output) : IAsyncLifetime
{
    private string _dir = "";
    private TestNetwork _network = null!;
    private NetworkDirectory _directory = null!;

    public Task InitializeAsync()
    {
        var basePort = PrivateTorNetwork.ReserveBasePort();
        // Stable per base port, so a later run reuses the keys (faster start); stopped in DisposeAsync,
        // and by the network's own watcher if this process dies.
        _dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"burrow-wire-relay-failure-{basePort}");
        Directory.CreateDirectory(_dir);
        _network = PrivateTorNetwork.Start(_dir, basePort, largeSizeMb: 50);
        _directory = TestNetDirectory.Load(_network);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        PrivateTorNetwork.Stop(_dir);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Killing_the_middle_relay_fails_the_stream_with_a_typed_error_and_other_circuits_still_work()
    {
        await using var channels = new ChannelManager();
        var builder = new CircuitBuilder(channels, TestNetDirectory.Parameters(_directory));
        RelayTarget Target(string nickname) => TestNetDirectory.Target(_directory, _network.Relays.Single(r => r.Nickname == nickname));
        using var overall = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        var doomed = await builder.BuildAsync([Target("auth0"), Target("relay0"), Target("exit0")], overall.Token);
        var survivor = await builder.BuildAsync([Target("auth1"), Target("relay1"), Target("exit1")], overall.Token);
        var stream = await doomed.OpenStreamAsync(_network.HttpEndPoint, overall.Token);
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"GET /large HTTP/1.0\r\nHost: {_network.HttpEndPoint}\r\n\r\n"), overall.Token);
        var buffer = new byte[64 * 1024];
        long received = 0;
        while (received < 4_000_000)
        {
            var n = await stream.ReadAsync(buffer, overall.Token);
            Assert.NotEqual(0, n);
            received += n;
        }

        var middle = _network.Relays.Single(r => r.Nickname == "relay0");
        RelayProcesses.Kill(_dir, middle.Pid, middle.Nickname);
        var clock = Stopwatch.StartNew();

        // Reading goes on with what was already buffered, then fails: no hang (the token is only a guard,
        // above the liveness probe's 20 s + 20 s for when the guard relay sends no DESTROY).
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var error = await Assert.ThrowsAsync<TorStreamException>(async () =>
        {
            try
            {
                while (true)
                {
                    var n = await stream.ReadAsync(buffer, guard.Token);
                    if (n == 0)
                        return;
                    received += n;
                }
            }
            catch (OperationCanceledException) when (guard.IsCancellationRequested)
            {
                var dump = ((TorStream)stream).DescribeState();
                output.WriteLine($"HANG after {clock.Elapsed.TotalSeconds:0.00} s: {dump}");
                throw new Xunit.Sdk.XunitException($"the read hung for 90 s after the middle relay died: {dump}");
            }
        });
        output.WriteLine($"failed after {clock.Elapsed.TotalSeconds:0.00} s and {received / 1e6:0.0} MB: {error.Kind}: {error.Message}");
        Assert.True(received < _network.Http.LargeSize, "the transfer cannot have completed");
        Assert.Equal(TorStreamErrorKind.Destroyed, error.Kind);
        var cause = Assert.IsType<CircuitException>(error.InnerException);
        Assert.True(cause.Kind is CircuitErrorKind.Destroyed or CircuitErrorKind.Truncated or CircuitErrorKind.Unresponsive, $"circuit failed with {cause.Kind}");
        Assert.True(doomed.IsClosed);
        await Assert.ThrowsAsync<TorStreamException>(() => stream.WriteAsync(new byte[1]).AsTask());

        // The circuit through other relays is untouched, and new circuits avoiding the dead relay work.
        Assert.False(survivor.IsClosed);
        await FetchSmallAsync(survivor, overall.Token);
        await using var fresh = await builder.BuildAsync([Target("auth0"), Target("relay1"), Target("exit0")], overall.Token);
        await FetchSmallAsync(fresh, overall.Token);
        await survivor.DisposeAsync();
    }

    /// <summary>Issue 18: the kill raced with a busy reader once in about 14 runs and the read waited for the
    /// 60 s guard. Here the scenario runs many times in one test, with CPU-bound threads competing with the
    /// client's reader loop; the middle relay is restarted (same keys, same ports) between rounds.</summary>
    [Fact]
    public async Task Killing_the_middle_relay_mid_transfer_fails_the_stream_every_time_under_cpu_load()
    {
        const int Rounds = 12;
        await using var channels = new ChannelManager();
        var builder = new CircuitBuilder(channels, TestNetDirectory.Parameters(_directory));
        RelayTarget Target(string nickname) => TestNetDirectory.Target(_directory, _network.Relays.Single(r => r.Nickname == nickname));
        var middle = _network.Relays.Single(r => r.Nickname == "relay0");
        using var stopLoad = new CancellationTokenSource();
        var load = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => Task.Factory.StartNew(() =>
        {
            while (!stopLoad.IsCancellationRequested)
                Thread.SpinWait(1000);
        }, TaskCreationOptions.LongRunning)).ToArray();
        var buffer = new byte[64 * 1024];
        var random = new Random(18);
        try
        {
            for (var round = 0; round < Rounds; round++)
            {
                using var overall = new CancellationTokenSource(TimeSpan.FromMinutes(3));
                var pid = round == 0 ? middle.Pid : await RestartRelayAsync(middle, overall.Token);
                var circuit = await BuildWithRetriesAsync(builder, [Target("auth0"), Target("relay0"), Target("exit0")], overall.Token);
                // The transfer up to the kill has a budget of its own: the restart and rebuild may have used most of overall's.
                using var transfer = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                var stream = await circuit.OpenStreamAsync(_network.HttpEndPoint, transfer.Token);
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"GET /large HTTP/1.0\r\nHost: {_network.HttpEndPoint}\r\n\r\n"), transfer.Token);
                // Kill at a different point of the transfer each round.
                var killAt = 200_000 + random.Next(2_000_000);
                long received = 0;
                while (received < killAt)
                {
                    var n = await stream.ReadAsync(buffer, transfer.Token);
                    Assert.NotEqual(0, n);
                    received += n;
                }
                RelayProcesses.Kill(_dir, pid, "relay0");
                var clock = Stopwatch.StartNew();
                using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
                try
                {
                    var error = await Assert.ThrowsAsync<TorStreamException>(async () =>
                    {
                        while (await stream.ReadAsync(buffer, guard.Token) is var n && n > 0)
                            received += n;
                    });
                    Assert.Equal(TorStreamErrorKind.Destroyed, error.Kind);
                    var cause = Assert.IsType<CircuitException>(error.InnerException);
                    Assert.True(cause.Kind is CircuitErrorKind.Destroyed or CircuitErrorKind.Truncated or CircuitErrorKind.Unresponsive, $"circuit failed with {cause.Kind}");
                    output.WriteLine($"round {round}: killed at {received / 1e6:0.00} MB, failed after {clock.Elapsed.TotalSeconds:0.00} s: {error.InnerException?.Message}");
                }
                catch (OperationCanceledException) when (guard.IsCancellationRequested)
                {
                    var dump = stream.DescribeState();
                    output.WriteLine($"round {round}: HANG after {clock.Elapsed.TotalSeconds:0.00} s: {dump}");
                    throw new Xunit.Sdk.XunitException($"round {round}: the read hung for 90 s after the middle relay died: {dump}");
                }
                await stream.DisposeAsync();
                await circuit.DisposeAsync();
            }
        }
        finally
        {
            stopLoad.Cancel();
            await Task.WhenAll(load);
            // Leave the relay running for the other test of this network.
            if (!IsRunning(middle))
                await RestartRelayAsync(middle, CancellationToken.None);
        }
    }

    /// <summary>A middle relay that stops (SIGSTOP: no FIN, no RST, nobody sends DESTROY) is found by the
    /// liveness probe: the stream fails as Unresponsive in bounded time. A stream idle over a live path is
    /// probed once, the exit answers, and the stream still works.</summary>
    [Fact]
    public async Task A_stopped_middle_relay_fails_the_stream_as_unresponsive_and_an_idle_live_stream_survives_its_probe()
    {
        await using var channels = new ChannelManager();
        var builder = new CircuitBuilder(channels, TestNetDirectory.Parameters(_directory))
        {
            StallProbeAfter = TimeSpan.FromSeconds(3),
            StallTimeout = TimeSpan.FromSeconds(3),
        };
        RelayTarget Target(string nickname) => TestNetDirectory.Target(_directory, _network.Relays.Single(r => r.Nickname == nickname));
        using var overall = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        // Idle over a live path: the exit answers the probe; the request sent afterwards is served.
        var live = await builder.BuildAsync([Target("auth1"), Target("relay1"), Target("exit1")], overall.Token);
        var idle = await live.OpenStreamAsync(_network.HttpEndPoint, overall.Token);
        await FakeCircuitsWait(() => live.ProbesSent == 1, TimeSpan.FromSeconds(30));
        // The exit's answer retires the probe (an unanswered one would close the circuit after 3 s).
        await FakeCircuitsWait(() => !live.ProbeOutstanding || live.IsClosed, TimeSpan.FromSeconds(30));
        Assert.False(live.IsClosed, live.CloseReason?.Message);
        Assert.Equal(1, live.ProbesSent);
        var response = await HttpOverTor.GetAsync(idle, _network.HttpEndPoint.ToString(), "/small", cancellationToken: overall.Token);
        Assert.Equal(_network.Http.SmallSha256, response.Sha256);

        // A stopped middle relay.
        var circuit = await builder.BuildAsync([Target("auth0"), Target("relay0"), Target("exit0")], overall.Token);
        var stream = await circuit.OpenStreamAsync(_network.HttpEndPoint, overall.Token);
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"GET /large HTTP/1.0\r\nHost: {_network.HttpEndPoint}\r\n\r\n"), overall.Token);
        var buffer = new byte[64 * 1024];
        long received = 0;
        while (received < 1_000_000)
            received += await stream.ReadAsync(buffer, overall.Token);
        var middle = _network.Relays.Single(r => r.Nickname == "relay0");
        RelayProcesses.AssertOwned(_dir, middle.Pid);
        Assert.Equal(0, Kill(middle.Pid, SIGSTOP));
        try
        {
            var clock = Stopwatch.StartNew();
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var error = await Assert.ThrowsAsync<TorStreamException>(async () =>
            {
                while (await stream.ReadAsync(buffer, guard.Token) is var n && n > 0)
                    received += n;
            });
            output.WriteLine($"stopped relay: failed after {clock.Elapsed.TotalSeconds:0.0} s: {error.Message}");
            Assert.Equal(TorStreamErrorKind.Destroyed, error.Kind);
            Assert.Equal(CircuitErrorKind.Unresponsive, Assert.IsType<CircuitException>(error.InnerException).Kind);
            Assert.True(circuit.IsClosed);
        }
        finally
        {
            Kill(middle.Pid, SIGCONT);
        }
        await live.DisposeAsync();
    }

    private const int SIGSTOP = 19;
    private const int SIGCONT = 18;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static async Task FakeCircuitsWait(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < timeout, "timed out waiting for the liveness probe");
            await Task.Delay(50);
        }
    }

    /// <summary>Starts the relay's tor again from its own torrc (same keys, same ports; its PidFile lets
    /// `testnet stop` find it) and returns the new PID once its ORPort accepts connections.</summary>
    private async Task<int> RestartRelayAsync(TestNetRelay relay, CancellationToken cancellationToken)
    {
        var torrc = System.IO.Path.Combine(relay.DataDirectory, "torrc");
        Assert.StartsWith(_dir, torrc);
        var start = new ProcessStartInfo("tor", ["-f", torrc])
        {
            WorkingDirectory = relay.DataDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("tor did not start");
        var pid = process.Id;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (process.HasExited)
                throw new Xunit.Sdk.XunitException($"{relay.Nickname} exited at start ({process.ExitCode}): {await process.StandardOutput.ReadToEndAsync(cancellationToken)} {Tail(relay.LogFile)}");
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(System.Net.IPAddress.Parse(relay.Address), relay.OrPort, deadline.Token);
                return pid;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(100, deadline.Token);
            }
        }
    }

    /// <summary>A freshly restarted relay may be refused for a while: the guard remembers a failed connection to
    /// it (an extend tried while it was down answers CONNECTFAILED for up to a minute in C tor 0.4.9, observed
    /// here). Retries for up to 100 s, then the last error stands.</summary>
    private static async Task<Circuit> BuildWithRetriesAsync(CircuitBuilder builder, RelayTarget[] path, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await builder.BuildAsync(path, cancellationToken);
            }
            catch (Exception e) when (e is CircuitException or ChannelException && clock.Elapsed < TimeSpan.FromSeconds(100))
            {
                await Task.Delay(1000, cancellationToken);
            }
        }
    }

    private static string Tail(string path) =>
        File.Exists(path) ? string.Join(" | ", File.ReadLines(path).TakeLast(5)) : "";

    private bool IsRunning(TestNetRelay relay)
    {
        var pidFile = System.IO.Path.Combine(relay.DataDirectory, "tor.pid");
        return File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)
            && File.Exists($"/proc/{pid}/cmdline") && File.ReadAllText($"/proc/{pid}/cmdline").Contains(_dir);
    }

    private async Task FetchSmallAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        await using var stream = await circuit.OpenStreamAsync(_network.HttpEndPoint, cancellationToken);
        var response = await HttpOverTor.GetAsync(stream, _network.HttpEndPoint.ToString(), "/small", cancellationToken: cancellationToken);
        Assert.Equal(_network.Http.SmallSha256, response.Sha256);
    }
}
