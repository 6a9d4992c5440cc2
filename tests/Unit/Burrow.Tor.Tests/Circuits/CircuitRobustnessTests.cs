using System.Buffers.Binary;
using Burrow.Tor.Cells;
using Burrow.Tor.Channels;
using Burrow.Tor.Circuits;
using Burrow.Tor.Streams;
using Burrow.Tor.Tests.Channels;

namespace Burrow.Tor.Tests.Circuits;

/// <summary>Seeded random garbage from the relay side: it may only ever close the circuit it arrived on.</summary>
public class CircuitRobustnessTests
{
    private static readonly RelayCommand[] Commands =
    [
        RelayCommand.Data, RelayCommand.End, RelayCommand.Connected, RelayCommand.Sendme, RelayCommand.Extended2,
        RelayCommand.Truncated, RelayCommand.Resolved, RelayCommand.Drop, RelayCommand.Begin, RelayCommand.Extend2,
        (RelayCommand)0, (RelayCommand)77, (RelayCommand)255,
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public async Task Random_cells_only_ever_close_the_circuit_they_arrive_on(int seed)
    {
        var random = new Random(seed);
        var (fake, channel) = await FakeRelay.StartAsync(relays: 3);
        await using var _ = fake;
        await using var __ = channel;
        fake.Echo = true;
        var bystander = await FakeCircuits.BuildAsync(channel, fake);
        var bystanderStream = await bystander.OpenStreamAsync("10.0.0.1:80");
        var closedKinds = new Dictionary<CircuitErrorKind, int>();
        var survived = 0;

        for (var round = 0; round < 40; round++)
        {
            var victim = await FakeCircuits.BuildAsync(channel, fake, hops: random.Next(1, 4));
            var streams = new List<TorStream>();
            for (var i = random.Next(0, 3); i > 0; i--)
                streams.Add(await victim.OpenStreamAsync("10.0.0.1:80"));
            var reads = streams.Select(s => s.ReadAsync(new byte[600]).AsTask()).ToList();

            for (var cells = random.Next(1, 4); cells > 0 && !victim.IsClosed; cells--)
                await SendGarbageAsync(fake, victim, streams, random);

            // Let the garbage arrive, then see what became of the victim.
            await RoundTripAsync(bystanderStream, random);
            if (victim.IsClosed)
            {
                var kind = victim.CloseReason!.Kind;
                Assert.Contains(kind, new[] { CircuitErrorKind.ProtocolViolation, CircuitErrorKind.Destroyed, CircuitErrorKind.Truncated, CircuitErrorKind.HandshakeFailed });
                closedKinds[kind] = closedKinds.GetValueOrDefault(kind) + 1;
                foreach (var read in reads)
                {
                    // Garbage DATA may have been delivered before the close; after it, reads fail with a typed error.
                    try
                    {
                        await read.WaitAsync(TimeSpan.FromSeconds(20));
                    }
                    catch (TorStreamException)
                    {
                    }
                    catch (TimeoutException)
                    {
                        Assert.Fail($"round {round}: a read on a stream of the closed victim hangs ({victim.CloseReason!.Message}); stream ids {string.Join(",", streams.Select(s => s.StreamId))}");
                    }
                }
            }
            else
            {
                survived++;
                victim.Close();
            }
            Assert.False(channel.IsClosed, channel.CloseReason?.Message);
            Assert.False(bystander.IsClosed, bystander.CloseReason?.Message);
        }
        await RoundTripAsync(bystanderStream, random);
        Assert.NotEmpty(closedKinds);
        Assert.True(closedKinds.Values.Sum() + survived == 40);
    }

    private static async Task RoundTripAsync(TorStream stream, Random random)
    {
        var ping = new byte[random.Next(1, 2000)];
        random.NextBytes(ping);
        await stream.WriteAsync(ping);
        var back = new byte[ping.Length];
        await stream.ReadExactlyAsync(back).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(ping, back);
    }

    private static Task SendGarbageAsync(FakeRelay fake, Circuit victim, List<TorStream> streams, Random random)
    {
        var hops = victim.HopCount;
        switch (random.Next(5))
        {
            case 0:
            {
                // Not encrypted for any hop: random bytes.
                var body = new byte[ChannelFraming.PayloadLength];
                random.NextBytes(body);
                return fake.SendCellAsync(victim.CircId, ChannelCommand.Relay, body);
            }
            case 1:
            {
                // Properly encrypted, header and data random (Length may exceed 498).
                var body = new byte[RelayCell.BodyLength];
                random.NextBytes(body);
                return fake.SendRelayBodyAsync(victim.CircId, random.Next(hops), body);
            }
            case 2:
            {
                // A known or unknown command with random data on a real, random or zero stream.
                var command = Commands[random.Next(Commands.Length)];
                var data = new byte[random.Next(0, RelayCell.MaxDataLength + 1)];
                random.NextBytes(data);
                ushort streamId = random.Next(3) switch
                {
                    0 => 0,
                    1 when streams.Count > 0 => streams[random.Next(streams.Count)].StreamId,
                    _ => (ushort)random.Next(1, 65536),
                };
                var body = new byte[RelayCell.BodyLength];
                RelayCell.Encode(body, command, streamId, data);
                return fake.SendRelayBodyAsync(victim.CircId, random.Next(hops), body);
            }
            case 3:
            {
                // Short, plausible-looking messages: SENDME versions, END reasons, CONNECTED forms.
                var body = new byte[RelayCell.BodyLength];
                var command = Commands[random.Next(6)];
                var data = new byte[random.Next(0, 30)];
                random.NextBytes(data);
                if (data.Length > 3 && command == RelayCommand.Sendme)
                    BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(1), (ushort)random.Next(0, 40));
                var streamId = streams.Count > 0 && random.Next(2) == 0 ? streams[0].StreamId : (ushort)0;
                RelayCell.Encode(body, command, streamId, data);
                return fake.SendRelayBodyAsync(victim.CircId, hops - 1, body);
            }
            default:
            {
                // Any channel command on the circuit, random body.
                var command = (ChannelCommand)random.Next(0, 256);
                var body = new byte[ChannelFraming.IsVariableLength(command) ? random.Next(0, 600) : ChannelFraming.PayloadLength];
                random.NextBytes(body);
                return fake.SendCellAsync(victim.CircId, command, body);
            }
        }
    }
}
