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
        KillRelay(middle);
        var clock = Stopwatch.StartNew();

        // Reading goes on with what was already buffered, then fails: no hang (the token is only a guard).
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var error = await Assert.ThrowsAsync<TorStreamException>(async () =>
        {
            while (true)
            {
                var n = await stream.ReadAsync(buffer, guard.Token);
                if (n == 0)
                    return;
                received += n;
            }
        });
        output.WriteLine($"failed after {clock.Elapsed.TotalSeconds:0.00} s and {received / 1e6:0.0} MB: {error.Kind}: {error.Message}");
        Assert.True(received < _network.Http.LargeSize, "the transfer cannot have completed");
        Assert.Equal(TorStreamErrorKind.Destroyed, error.Kind);
        var cause = Assert.IsType<CircuitException>(error.InnerException);
        Assert.True(cause.Kind is CircuitErrorKind.Destroyed or CircuitErrorKind.Truncated, $"circuit failed with {cause.Kind}");
        Assert.True(doomed.IsClosed);
        await Assert.ThrowsAsync<TorStreamException>(() => stream.WriteAsync(new byte[1]).AsTask());

        // The circuit through other relays is untouched, and new circuits avoiding the dead relay work.
        Assert.False(survivor.IsClosed);
        await FetchSmallAsync(survivor, overall.Token);
        await using var fresh = await builder.BuildAsync([Target("auth0"), Target("relay1"), Target("exit0")], overall.Token);
        await FetchSmallAsync(fresh, overall.Token);
        await survivor.DisposeAsync();
    }

    private async Task FetchSmallAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        await using var stream = await circuit.OpenStreamAsync(_network.HttpEndPoint, cancellationToken);
        var response = await HttpOverTor.GetAsync(stream, _network.HttpEndPoint.ToString(), "/small", cancellationToken: cancellationToken);
        Assert.Equal(_network.Http.SmallSha256, response.Sha256);
    }

    /// <summary>SIGKILL to the relay's tor, after checking the PID still belongs to this network's folder.</summary>
    private void KillRelay(TestNetRelay relay)
    {
        var cmdline = File.ReadAllText($"/proc/{relay.Pid}/cmdline").Replace('\0', ' ');
        Assert.Contains(_dir, cmdline);
        using var process = Process.GetProcessById(relay.Pid);
        process.Kill();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)), $"{relay.Nickname} (pid {relay.Pid}) did not die");
    }
}
