using System.Text;
using Burrow.Tests;
using Burrow.Tor.Cells;
using Burrow.Tor.Channels;
using Burrow.Tor.Circuits;
using Burrow.Tor.Streams;
using Burrow.Tor.Tests.Channels;

namespace Burrow.Tor.Tests.Circuits;

/// <summary>Issue 18: a path that goes silent (a relay behind the first hop died or stopped and nobody sent
/// DESTROY) is found by a liveness probe and closed, so a waiting read fails instead of hanging.</summary>
public class CircuitLivenessTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(20);

    private static async Task<(FakeRelay Fake, Channel Channel, Circuit Circuit, ManualTimeProvider Time)> BuildAsync()
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 3);
        var time = new ManualTimeProvider();
        var circuit = await FakeCircuits.BuildAsync(channel, fake, 3, time: time);
        return (fake, channel, circuit, time);
    }

    private static async Task<RelayEvent> ExpectProbeAsync(FakeRelay fake)
    {
        var probe = await fake.NextRelayAsync(RelayCommand.Resolve);
        Assert.Equal(2, probe.Hop);
        Assert.Equal(Circuit.ProbeHostname + "\0", Encoding.ASCII.GetString(probe.Data));
        return probe;
    }

    [Fact]
    public async Task A_silent_path_gets_one_probe_and_closes_as_unresponsive_when_nothing_answers()
    {
        var (fake, channel, circuit, time) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Data, stream.StreamId, new DataMessage(new byte[100]));
        await FakeCircuits.EventuallyAsync(() => stream.BufferedBytes == 100, "the DATA is buffered");
        var buffer = new byte[1000];
        Assert.Equal(100, await stream.ReadAsync(buffer));
        var read = stream.ReadAsync(buffer).AsTask();

        time.Advance(Quiet - TimeSpan.FromSeconds(1));
        Assert.Equal(0, circuit.ProbesSent);
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(1, circuit.ProbesSent);
        await ExpectProbeAsync(fake);
        Assert.False(circuit.IsClosed);

        time.Advance(Quiet + TimeSpan.FromSeconds(5));
        Assert.True(circuit.IsClosed);
        Assert.Equal(CircuitErrorKind.Unresponsive, circuit.CloseReason!.Kind);
        var error = await Assert.ThrowsAsync<TorStreamException>(() => read);
        Assert.Equal(TorStreamErrorKind.Destroyed, error.Kind);
        Assert.Equal(CircuitErrorKind.Unresponsive, Assert.IsType<CircuitException>(error.InnerException).Kind);
        Assert.Contains("liveness probe", error.Message);
        // The relays are told: DESTROY goes out.
        await fake.NextAsync(e => e.Command == ChannelCommand.Destroy && e.CircId == circuit.CircId);
        Assert.Equal(1, circuit.ProbesSent);
    }

    [Fact]
    public async Task An_answered_probe_keeps_the_circuit_and_an_idle_stream_is_probed_only_once_per_quiet_period()
    {
        var (fake, channel, circuit, time) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        var stream = await circuit.OpenStreamAsync("10.0.0.1:80");

        time.Advance(Quiet + TimeSpan.FromSeconds(5));
        var probe = await ExpectProbeAsync(fake);
        var before = circuit.CellsReceived;
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Resolved, probe.StreamId,
            new ResolvedMessage([new ResolvedAnswer(ResolvedAnswerType.IPv4, new byte[] { 127, 0, 0, 1 }, 60)]));
        await FakeCircuits.EventuallyAsync(() => circuit.CellsReceived > before, "the answer is in");

        // Idle for minutes over a live path: no more probes, the circuit stays.
        for (var i = 0; i < 12; i++)
            time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(circuit.IsClosed);
        Assert.Equal(1, circuit.ProbesSent);

        // Traffic again, then silence: a new quiet period, a new probe.
        await stream.WriteAsync(new byte[10]);
        await fake.NextRelayAsync(RelayCommand.Data);
        time.Advance(Quiet + TimeSpan.FromSeconds(5));
        Assert.Equal(2, circuit.ProbesSent);
        await ExpectProbeAsync(fake);
        Assert.False(circuit.IsClosed);
    }

    [Fact]
    public async Task A_circuit_without_streams_is_never_probed()
    {
        var (fake, channel, circuit, time) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        await stream.DisposeAsync();
        for (var i = 0; i < 10; i++)
            time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, circuit.ProbesSent);
        Assert.False(circuit.IsClosed);
    }
}
