using Burrow.Tor.Identities;
using System.Security.Cryptography;
using Burrow.Tor.Cells;
using Burrow.Tor.Channels;
using Burrow.Tor.Circuits;
using Burrow.Tor.Streams;
using Burrow.Tor.Tests.Channels;

namespace Burrow.Tor.Tests.Circuits;

/// <summary>DESTROY, TRUNCATED and bad or unexpected cells: each closes only the circuit it came on.</summary>
public class CircuitCellHandlingTests
{
    private static async Task<(FakeRelay Fake, Channel Channel, Circuit Circuit, TorStream Stream)> OpenAsync(int hops = 3)
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: hops);
        var circuit = await FakeCircuits.BuildAsync(channel, fake, hops);
        var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        return (fake, channel, circuit, stream);
    }

    [Theory]
    [InlineData((byte)DestroyReason.Destroyed)]
    [InlineData((byte)DestroyReason.ChannelClosed)]
    [InlineData(200)]
    public async Task Destroy_fails_reads_and_writes_with_a_typed_error(byte reasonByte)
    {
        var reason = (DestroyReason)reasonByte;
        var (fake, channel, circuit, stream) = await OpenAsync();
        await using var _ = fake;
        await using var __ = channel;
        var read = stream.ReadAsync(new byte[100]).AsTask();
        await fake.SendCellAsync(circuit.CircId, ChannelCommand.Destroy, [(byte)reason]);

        var error = await Assert.ThrowsAsync<TorStreamException>(() => read);
        Assert.Equal(TorStreamErrorKind.Destroyed, error.Kind);
        var inner = Assert.IsType<CircuitException>(error.InnerException);
        Assert.Equal(CircuitErrorKind.Destroyed, inner.Kind);
        Assert.Equal(reason, inner.DestroyReason);
        var write = await Assert.ThrowsAsync<TorStreamException>(() => stream.WriteAsync(new byte[10]).AsTask());
        Assert.Equal(TorStreamErrorKind.Destroyed, write.Kind);
        Assert.True(circuit.IsClosed);
        Assert.False(channel.IsClosed);
        await Assert.ThrowsAsync<CircuitException>(() => circuit.OpenStreamAsync("10.0.0.1:80"));
    }

    [Fact]
    public async Task Destroy_wakes_a_writer_waiting_for_the_circuit_window()
    {
        var (fake, channel, circuit, stream) = await OpenAsync();
        await using var _ = fake;
        await using var __ = channel;
        fake.AutoSendme = false;
        fake.RecordData = false;
        var second = await circuit.OpenStreamAsync("10.0.0.1:81");
        var third = await circuit.OpenStreamAsync("10.0.0.1:82");
        await stream.WriteAsync(new byte[450 * 498]);
        await second.WriteAsync(new byte[450 * 498]);
        var blocked = third.WriteAsync(new byte[450 * 498]).AsTask();
        await FakeCircuits.EventuallyAsync(() => circuit.PackageWindow == 0, "the circuit window is used up");
        Assert.False(blocked.IsCompleted);
        await fake.SendCellAsync(circuit.CircId, ChannelCommand.Destroy, [(byte)DestroyReason.Finished]);
        var error = await Assert.ThrowsAsync<TorStreamException>(() => blocked);
        Assert.Equal(TorStreamErrorKind.Destroyed, error.Kind);
    }

    [Fact]
    public async Task Truncated_closes_the_circuit_and_destroys_the_rest()
    {
        var (fake, channel, circuit, stream) = await OpenAsync();
        await using var _ = fake;
        await using var __ = channel;
        await fake.SendRelayAsync(circuit.CircId, 1, RelayCommand.Truncated, 0, new TruncatedMessage(DestroyReason.ConnectFailed));
        await circuit.Completion.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(CircuitErrorKind.Truncated, circuit.CloseReason!.Kind);
        Assert.Equal(DestroyReason.ConnectFailed, circuit.CloseReason.DestroyReason);
        Assert.Contains("hop 2", circuit.CloseReason.Message);
        var destroy = await fake.NextAsync(e => e.Command == ChannelCommand.Destroy);
        Assert.Equal(circuit.CircId, destroy.CircId);
        var error = await Assert.ThrowsAsync<TorStreamException>(() => stream.ReadAsync(new byte[1]).AsTask());
        Assert.Equal(CircuitErrorKind.Truncated, Assert.IsType<CircuitException>(error.InnerException).Kind);
    }

    public static TheoryData<string, byte[]> UnexpectedRelayCells()
    {
        static byte[] Body(RelayCommand command, ushort streamId, ReadOnlySpan<byte> data)
        {
            var body = new byte[RelayCell.BodyLength];
            RelayCell.Encode(body, command, streamId, data);
            return body;
        }
        return new TheoryData<string, byte[]>
        {
            { "CONNECTED for a stream never opened", Body(RelayCommand.Connected, 999, []) },
            { "DATA for a stream never opened", Body(RelayCommand.Data, 999, [1, 2, 3]) },
            { "DATA with stream ID 0", Body(RelayCommand.Data, 0, [1]) },
            { "END for a stream never opened", Body(RelayCommand.End, 999, [6]) },
            { "EXTENDED2 nobody asked for", Body(RelayCommand.Extended2, 0, new byte[66]) },
            { "BEGIN from a relay", Body(RelayCommand.Begin, 5, "1.2.3.4:80\0"u8) },
            { "EXTEND2 from a relay", Body(RelayCommand.Extend2, 0, [0, 0, 2, 0, 0]) },
            { "legacy EXTENDED", Body(RelayCommand.Extended, 0, new byte[148]) },
            { "a circuit SENDME nobody earned", Body(RelayCommand.Sendme, 0, [1, 0, 20, .. new byte[20]]) },
            { "a SENDME of version 2", Body(RelayCommand.Sendme, 0, [2, 0, 0]) },
            { "a SENDME v1 too short", Body(RelayCommand.Sendme, 0, [1, 0, 4, 1, 2, 3, 4]) },
            { "a stream SENDME above the window", Body(RelayCommand.Sendme, 1, []) },
            { "TRUNCATED without a reason", Body(RelayCommand.Truncated, 0, []) },
        };
    }

    [Theory]
    [MemberData(nameof(UnexpectedRelayCells))]
    public async Task An_unexpected_or_malformed_relay_cell_closes_only_its_circuit(string what, byte[] body)
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 3);
        await using var _ = fake;
        await using var __ = channel;
        fake.Echo = true;
        var victim = await FakeCircuits.BuildAsync(channel, fake);
        var bystander = await FakeCircuits.BuildAsync(channel, fake);
        var victimStream = await victim.OpenStreamAsync("10.0.0.1:80");
        var bystanderStream = await bystander.OpenStreamAsync("10.0.0.1:80");
        if (what.Contains("stream SENDME"))
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(RelayCell.StreamIdOffset), victimStream.StreamId);

        await fake.SendRelayBodyAsync(victim.CircId, 2, body);

        await victim.Completion.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(CircuitErrorKind.ProtocolViolation, victim.CloseReason!.Kind);
        Assert.StartsWith($"Circuit {victim.CircId:X8}", victim.CloseReason.Message);
        var error = await Assert.ThrowsAsync<TorStreamException>(() => victimStream.ReadAsync(new byte[1]).AsTask());
        Assert.Equal(TorStreamErrorKind.Destroyed, error.Kind);
        var destroy = await fake.NextAsync(e => e.Command == ChannelCommand.Destroy);
        Assert.Equal(victim.CircId, destroy.CircId);

        Assert.False(channel.IsClosed);
        Assert.False(bystander.IsClosed);
        await bystanderStream.WriteAsync("still here"u8.ToArray());
        var echo = new byte[10];
        await bystanderStream.ReadExactlyAsync(echo);
        Assert.Equal("still here"u8.ToArray(), echo);
    }

    [Fact]
    public async Task A_cell_no_hop_recognizes_closes_the_circuit()
    {
        var (fake, channel, circuit, _) = await OpenAsync();
        await using var __ = fake;
        await using var ___ = channel;
        await fake.SendCellAsync(circuit.CircId, ChannelCommand.Relay, RandomNumberGenerator.GetBytes(RelayCell.BodyLength));
        await circuit.Completion.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(CircuitErrorKind.ProtocolViolation, circuit.CloseReason!.Kind);
        Assert.Contains("no hop recognized", circuit.CloseReason.Message);
        Assert.False(channel.IsClosed);
    }

    [Fact]
    public async Task An_inbound_relay_early_cell_closes_the_circuit()
    {
        var (fake, channel, circuit, _) = await OpenAsync();
        await using var __ = fake;
        await using var ___ = channel;
        var body = new byte[RelayCell.BodyLength];
        RelayCell.Encode(body, 0, DropMessage.Instance);
        await fake.SendRelayBodyAsync(circuit.CircId, 2, body, ChannelCommand.RelayEarly);
        await circuit.Completion.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(CircuitErrorKind.ProtocolViolation, circuit.CloseReason!.Kind);
        Assert.Contains("RELAY_EARLY", circuit.CloseReason.Message);
    }

    [Theory]
    [InlineData((byte)ChannelCommand.Create2)]
    [InlineData((byte)ChannelCommand.Created2)]
    [InlineData((byte)ChannelCommand.CreatedFast)]
    [InlineData((byte)ChannelCommand.Netinfo)]
    public async Task An_unexpected_channel_cell_on_the_circuit_closes_it(byte commandByte)
    {
        var command = (ChannelCommand)commandByte;
        var (fake, channel, circuit, _) = await OpenAsync();
        await using var __ = fake;
        await using var ___ = channel;
        await fake.SendCellAsync(circuit.CircId, command, new byte[ChannelFraming.PayloadLength]);
        await circuit.Completion.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(CircuitErrorKind.ProtocolViolation, circuit.CloseReason!.Kind);
        Assert.False(channel.IsClosed);
    }

    [Fact]
    public async Task Drop_and_unknown_relay_commands_are_ignored()
    {
        var (fake, channel, circuit, stream) = await OpenAsync();
        await using var _ = fake;
        await using var __ = channel;
        fake.Echo = true;
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Drop, 0, DropMessage.Instance);
        await fake.SendRelayAsync(circuit.CircId, 1, RelayCommand.Drop, 0, DropMessage.Instance);
        await fake.SendRelayAsync(circuit.CircId, 2, (RelayCommand)200, 0, new UnknownRelayMessage((RelayCommand)200, new byte[17]));
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Xon, stream.StreamId, new UnknownRelayMessage(RelayCommand.Xon, new byte[5]));
        await stream.WriteAsync("ping"u8.ToArray());
        var echo = new byte[4];
        await stream.ReadExactlyAsync(echo);
        Assert.Equal("ping"u8.ToArray(), echo);
        Assert.False(circuit.IsClosed);
    }

    [Fact]
    public async Task Cells_for_unknown_circuits_are_dropped_and_the_channel_goes_on()
    {
        var (fake, channel, circuit, stream) = await OpenAsync();
        await using var _ = fake;
        await using var __ = channel;
        fake.Echo = true;
        await fake.SendCellAsync(0x8000_1234, ChannelCommand.Relay, new byte[ChannelFraming.PayloadLength]);
        await fake.SendCellAsync(0x8000_1234, ChannelCommand.Destroy, [1]);
        await fake.SendCellAsync(0, ChannelCommand.Padding, new byte[ChannelFraming.PayloadLength]);
        await fake.SendCellAsync(0, ChannelCommand.VPadding, new byte[37]);
        await stream.WriteAsync("ping"u8.ToArray());
        var echo = new byte[4];
        await stream.ReadExactlyAsync(echo);
        Assert.False(circuit.IsClosed);
        Assert.False(channel.IsClosed);
    }

    [Fact]
    public async Task Closing_a_circuit_sends_destroy_with_reason_none_and_fails_its_streams()
    {
        var (fake, channel, circuit, stream) = await OpenAsync();
        await using var _ = fake;
        await using var __ = channel;
        await circuit.DisposeAsync();
        var destroy = await fake.NextAsync(e => e.Command == ChannelCommand.Destroy);
        Assert.Equal(circuit.CircId, destroy.CircId);
        Assert.Equal((byte)DestroyReason.None, destroy.Data[0]);
        var error = await Assert.ThrowsAsync<TorStreamException>(() => stream.ReadAsync(new byte[1]).AsTask());
        Assert.Equal(CircuitErrorKind.Closed, Assert.IsType<CircuitException>(error.InnerException).Kind);
        Assert.Equal(0, channel.CircuitCount);
    }

    [Theory]
    [InlineData((byte)RelayCommand.End)]
    [InlineData((byte)RelayCommand.Connected)]
    public async Task A_stream_cell_from_a_middle_hop_fails_the_streams_instead_of_stranding_them(byte command)
    {
        var (fake, channel, circuit, stream) = await OpenAsync();
        await using var _ = fake;
        await using var __ = channel;
        var read = stream.ReadAsync(new byte[10]).AsTask();
        var body = new byte[RelayCell.BodyLength];
        RelayCell.Encode(body, (RelayCommand)command, stream.StreamId, command == (byte)RelayCommand.End ? [6] : []);
        await fake.SendRelayBodyAsync(circuit.CircId, 1, body);
        var error = await Assert.ThrowsAsync<TorStreamException>(() => read.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(CircuitErrorKind.ProtocolViolation, Assert.IsType<CircuitException>(error.InnerException).Kind);
        Assert.Contains("not from its exit", circuit.CloseReason!.Message);
    }

    [Fact]
    public async Task A_malformed_extended2_fails_the_extend_at_once()
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 2);
        await using var _ = fake;
        await using var __ = channel;
        var circuit = new Circuit(channel);
        await circuit.CreateFirstHopAsync(fake.Relays[0].Target);
        var stranger = new RelayTarget(new RsaIdentity(new byte[20]), null, new byte[32], new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1));
        var extending = circuit.ExtendAsync(stranger);
        await fake.NextRelayAsync(RelayCommand.Extend2);
        var body = new byte[RelayCell.BodyLength];
        RelayCell.Encode(body, RelayCommand.Extended2, 0, [0xFF, 0xFF, 1, 2]); // HLEN beyond the data
        await fake.SendRelayBodyAsync(circuit.CircId, 0, body);
        var error = await Assert.ThrowsAsync<CircuitException>(() => extending.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(CircuitErrorKind.ProtocolViolation, error.Kind);
        Assert.Contains("EXTENDED2", error.Message);
    }
}
