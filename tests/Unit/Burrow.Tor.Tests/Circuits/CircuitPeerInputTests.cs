using Burrow.Tor.Cells;
using Burrow.Tor.Channels;
using Burrow.Tor.Circuits;
using Burrow.Tor.Streams;
using Burrow.Tor.Tests.Channels;

namespace Burrow.Tor.Tests.Circuits;

/// <summary>Relay input findings of issue 16 item 7: DATA before CONNECTED, unknown relay commands,
/// CREATE_FAST's X after a failed hop.</summary>
public class CircuitPeerInputTests
{
    [Fact]
    public async Task Data_before_connected_closes_the_stream_as_a_protocol_violation_and_the_circuit_goes_on()
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 3);
        await using var _ = fake;
        await using var __ = channel;
        var circuit = await FakeCircuits.BuildAsync(channel, fake);
        fake.AutoConnect = false;
        var opening = circuit.OpenStreamAsync("10.0.0.1:80");
        var begin = await fake.NextRelayAsync(RelayCommand.Begin);

        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Data, begin.StreamId, new DataMessage("early"u8.ToArray()));

        var error = await Assert.ThrowsAsync<TorStreamException>(() => opening.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(TorStreamErrorKind.TorProtocol, error.Kind);
        Assert.Contains("before RELAY_CONNECTED", error.Message);
        var end = await fake.NextRelayAsync(RelayCommand.End);
        Assert.Equal(begin.StreamId, end.StreamId);
        Assert.Equal((byte)EndReason.TorProtocol, end.Data[0]);

        // What the exit had in flight is tolerated; the circuit and other streams carry on.
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Data, begin.StreamId, new DataMessage("more"u8.ToArray()));
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Connected, begin.StreamId, ConnectedMessage.Empty);
        fake.AutoConnect = true;
        fake.Echo = true;
        var other = await circuit.OpenStreamAsync("10.0.0.1:80");
        await other.WriteAsync("ping"u8.ToArray());
        var echo = new byte[4];
        await other.ReadExactlyAsync(echo).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("ping"u8.ToArray(), echo);
        Assert.False(circuit.IsClosed);
    }

    [Fact]
    public async Task Data_after_connected_is_delivered()
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 3);
        await using var _ = fake;
        await using var __ = channel;
        var circuit = await FakeCircuits.BuildAsync(channel, fake);
        var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Data, stream.StreamId, new DataMessage("late"u8.ToArray()));
        var got = new byte[4];
        await stream.ReadExactlyAsync(got).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("late"u8.ToArray(), got);
    }

    [Fact]
    public async Task Unknown_relay_commands_are_dropped_and_counted()
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 3);
        await using var _ = fake;
        await using var __ = channel;
        fake.Echo = true;
        var circuit = await FakeCircuits.BuildAsync(channel, fake);
        var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        for (var i = 0; i < 3; i++)
            await fake.SendRelayAsync(circuit.CircId, 2, (RelayCommand)(200 + i), 0, new UnknownRelayMessage((RelayCommand)(200 + i), new byte[9]));
        await fake.SendRelayAsync(circuit.CircId, 1, (RelayCommand)250, 0, new UnknownRelayMessage((RelayCommand)250, new byte[1]));
        // The echo comes after the unknown cells on the same channel: by then all four were handled.
        await stream.WriteAsync("ping"u8.ToArray());
        var echo = new byte[4];
        await stream.ReadExactlyAsync(echo).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(4, circuit.UnknownRelayCellsReceived);
        Assert.Contains("4 with unknown relay commands", circuit.DescribeState());
        Assert.False(circuit.IsClosed);
    }

    [Fact]
    public async Task Create_fast_key_material_is_wiped_when_the_hop_is_cancelled()
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 1);
        await using var _ = fake;
        await using var __ = channel;
        var circuit = new Circuit(channel);
        using var cts = new CancellationTokenSource();
        var creating = circuit.CreateFirstHopFastAsync(cts.Token);
        var sent = await fake.NextAsync(e => e.Command == ChannelCommand.CreateFast);
        Assert.Contains(sent.Data.Take(CreateFastCell.KeyMaterialLength), b => b != 0);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => creating.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.All(circuit.LastFastKeyMaterialForTests!, b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData("a wrong KH")]
    [InlineData("CREATED2 instead")]
    [InlineData("DESTROY")]
    public async Task Create_fast_key_material_is_wiped_when_the_relay_answers_badly(string answer)
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 1);
        await using var _ = fake;
        await using var __ = channel;
        var circuit = new Circuit(channel);
        var creating = circuit.CreateFirstHopFastAsync();
        await fake.NextAsync(e => e.Command == ChannelCommand.CreateFast);
        switch (answer)
        {
            case "a wrong KH":
                await fake.SendCellAsync(circuit.CircId, ChannelCommand.CreatedFast, new byte[40]);
                break;
            case "CREATED2 instead":
                await fake.SendCellAsync(circuit.CircId, ChannelCommand.Created2, new byte[66]);
                break;
            default:
                await fake.SendCellAsync(circuit.CircId, ChannelCommand.Destroy, [(byte)DestroyReason.Protocol]);
                break;
        }
        await Assert.ThrowsAsync<CircuitException>(() => creating.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(CreateFastCell.KeyMaterialLength, circuit.LastFastKeyMaterialForTests!.Length);
        Assert.All(circuit.LastFastKeyMaterialForTests!, b => Assert.Equal(0, b));
    }
}
