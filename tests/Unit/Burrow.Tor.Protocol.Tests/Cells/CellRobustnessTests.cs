using Burrow.Tor.Cells;

namespace Burrow.Tor.Tests.Cells;

/// <summary>Random and randomly mutated bodies (fixed seeds) fed to every decoder: the only outcomes
/// allowed are a value or <see cref="CellFormatException"/>. A value must re-encode and decode to itself.</summary>
public class CellRobustnessTests
{
    private static readonly ChannelCommand[] ChannelCommands =
        [.. Enum.GetValues<ChannelCommand>(), (ChannelCommand)13, (ChannelCommand)127, (ChannelCommand)133, (ChannelCommand)255];

    private static readonly RelayCommand[] RelayCommands =
        [.. Enum.GetValues<RelayCommand>(), 0, (RelayCommand)16, (RelayCommand)32, (RelayCommand)41, (RelayCommand)255];

    /// <summary>Valid bodies to mutate: the shapes of the hand-written vectors.</summary>
    private static readonly (ChannelCommand Command, byte[] Body)[] ChannelSeeds =
    [
        (ChannelCommand.Versions, Hex.Bytes("0003 0004 0005")),
        (ChannelCommand.Certs, Hex.Bytes("03 02 0003 AABBCC 04 0002 DDEE 07 0000")),
        (ChannelCommand.AuthChallenge, Hex.Bytes(Hex.Pattern(32) + "0002 0001 0003")),
        (ChannelCommand.Authenticate, Hex.Bytes("0003 0004 01020304")),
        (ChannelCommand.Netinfo, Hex.Padded("654A2B00 04 04 7F000001 02 04 04 C0000201 06 10 20010DB8000000000000000000000001")),
        (ChannelCommand.Create2, Hex.Padded("0002 0054" + Hex.Pattern(84))),
        (ChannelCommand.Created2, Hex.Padded("0040" + Hex.Pattern(64))),
        (ChannelCommand.CreateFast, Hex.Padded(Hex.Pattern(20))),
        (ChannelCommand.CreatedFast, Hex.Padded(Hex.Pattern(40))),
        (ChannelCommand.Destroy, Hex.Padded("08")),
        (ChannelCommand.PaddingNegotiate, Hex.Padded("00 02 05DC 2328")),
        (ChannelCommand.Relay, Hex.PatternBytes(509)),
    ];

    private static readonly (RelayCommand Command, byte[] Data)[] RelaySeeds =
    [
        (RelayCommand.Begin, Hex.Bytes(Hex.Ascii("www.example.com:80") + "00 00000005")),
        (RelayCommand.Begin, Hex.Bytes(Hex.Ascii("[2001:db8::1]:443") + "00 00000001")),
        (RelayCommand.Connected, Hex.Bytes("C0000201 00000E10")),
        (RelayCommand.Connected, Hex.Bytes("00000000 06 20010DB8000000000000000000000002 0000012C")),
        (RelayCommand.End, Hex.Bytes("04 C0000201 00000E10")),
        (RelayCommand.End, Hex.Bytes("04 20010DB8000000000000000000000003 00000001")),
        (RelayCommand.Sendme, Hex.Bytes("01 0014" + Hex.Pattern(20))),
        (RelayCommand.Extend2, Hex.Bytes("04 00 06 C0000201 2329 02 14" + Hex.Pattern(20) + "03 20" + Hex.Pattern(32)
            + "01 12 20010DB8000000000000000000000001 2329 0002 0054" + Hex.Pattern(84))),
        (RelayCommand.Extended2, Hex.Bytes("0040" + Hex.Pattern(64))),
        (RelayCommand.Truncated, Hex.Bytes("06")),
        (RelayCommand.Resolve, Hex.Bytes(Hex.Ascii("example.com") + "00")),
        (RelayCommand.Resolved, Hex.Bytes("04 04 C0000205 0000012C 06 10 20010DB8000000000000000000000005 00000E10 00 0B"
            + Hex.Ascii("example.com") + "00015180")),
        (RelayCommand.Resolved, Hex.Bytes("F0 18" + Hex.Ascii("Error resolving hostname") + "00000000")),
    ];

    [Fact]
    public void RandomChannelBodies()
    {
        var rng = new Random(20240601);
        for (var i = 0; i < 20000; i++)
        {
            var command = ChannelCommands[rng.Next(ChannelCommands.Length)];
            var body = RandomBytes(rng, rng.Next(4) switch { 0 => rng.Next(0, 16), 1 => 509, 2 => rng.Next(16, 80), _ => rng.Next(0, 700) });
            CheckChannel(command, body, $"random #{i}");
        }
    }

    [Fact]
    public void MutatedChannelBodies()
    {
        var rng = new Random(7);
        for (var i = 0; i < 30000; i++)
        {
            var (command, seed) = ChannelSeeds[rng.Next(ChannelSeeds.Length)];
            CheckChannel(command, Mutate(rng, seed), $"mutation #{i} of {command}");
        }
    }

    [Fact]
    public void RandomRelayBodies()
    {
        var rng = new Random(4711);
        for (var i = 0; i < 20000; i++)
        {
            var body = RandomBytes(rng, RelayCell.BodyLength);
            body[0] = (byte)RelayCommands[rng.Next(RelayCommands.Length)];
            // Mostly plausible lengths, sometimes anything.
            var length = rng.Next(3) == 0 ? rng.Next(0, 65536) : rng.Next(0, 520);
            body[9] = (byte)(length >> 8);
            body[10] = (byte)length;
            CheckRelayBody(body, $"random #{i}");
        }
    }

    [Fact]
    public void MutatedRelayData()
    {
        var rng = new Random(99);
        for (var i = 0; i < 30000; i++)
        {
            var (command, seed) = RelaySeeds[rng.Next(RelaySeeds.Length)];
            var data = Mutate(rng, seed);
            if (data.Length > RelayCell.MaxDataLength)
                data = data[..RelayCell.MaxDataLength];
            var body = new byte[RelayCell.BodyLength];
            RelayCell.Encode(body, command, (ushort)rng.Next(0, 3), data, RelayPadding.Random);
            CheckRelayBody(body, $"mutation #{i} of {command}");
        }
    }

    [Fact]
    public void RandomByteStreamsThroughTheFramer()
    {
        var rng = new Random(31337);
        var scratch = new byte[ChannelFraming.MaxVariableBodyLength];
        foreach (var framing in new[] { ChannelFraming.Initial, ChannelFraming.ForLinkVersion(4), ChannelFraming.ForLinkVersion(5) })
        {
            for (var round = 0; round < 20; round++)
            {
                var stream = RandomBytes(rng, 200_000);
                var span = new ReadOnlySpan<byte>(stream);
                var sequence = Hex.Segmented(stream, rng.Next(1, 4000));
                var cells = 0;
                while (true)
                {
                    var gotSpan = ChannelCellReader.TryRead(span, framing, out var cell, out var consumed);
                    var gotSeq = ChannelCellReader.TryRead(sequence, framing, out var frame);
                    Assert.Equal(gotSpan, gotSeq);
                    if (!gotSpan)
                        break;
                    Assert.InRange(consumed, framing.CircIdLength + 1, ChannelFraming.MaxCellLength);
                    Assert.Equal(consumed, frame.Length);
                    Assert.Equal(cell.CircId, frame.CircId);
                    Assert.Equal(cell.Command, frame.Command);
                    Assert.True(cell.Body.SequenceEqual(frame.GetBody(scratch)));
                    CheckChannel(cell.Command, cell.Body.ToArray(), $"framed cell {cells} ({framing})");
                    span = span[consumed..];
                    sequence = sequence.Slice(frame.End);
                    cells++;
                    if (cells % 8 == 0 && span.Length > 5)
                    {
                        // Steer the next header to a known command now and then.
                        var pos = stream.Length - span.Length + framing.CircIdLength;
                        stream[pos] = (byte)ChannelCommands[rng.Next(ChannelCommands.Length)];
                    }
                }
                Assert.True(span.Length < ChannelFraming.MaxCellLength);
                Assert.True(cells > 0);
            }
        }
    }

    private static void CheckChannel(ChannelCommand command, byte[] body, string what)
    {
        ChannelMessage? message = null;
        Outcome(() => message = ChannelMessage.Decode(command, body), $"decode {command} ({what}): {Hex.Of(body)}");
        if (message is null)
            return;
        Assert.Equal(command, message.Command);
        var encoded = new byte[message.EncodedLength];
        Assert.Equal(encoded.Length, message.Encode(encoded));
        Assert.Equal(message, ChannelMessage.Decode(command, encoded));
        // Known fixed-cell bodies ignore their NUL padding (unknown ones are kept raw, padding and all).
        if (message is not UnknownChannelMessage)
            Assert.Equal(message, ChannelMessage.Decode(command, PadLikeTheWire(command, encoded)));
    }

    private static byte[] PadLikeTheWire(ChannelCommand command, byte[] encoded)
    {
        if (ChannelFraming.IsVariableLength(command) || encoded.Length >= ChannelFraming.PayloadLength)
            return encoded;
        Array.Resize(ref encoded, ChannelFraming.PayloadLength);
        return encoded;
    }

    private static void CheckRelayBody(byte[] body, string what)
    {
        ReadOnlyMemory<byte> data = default;
        RelayHeader header = default;
        var ok = Outcome(() => data = RelayCell.Decode((ReadOnlyMemory<byte>)body, out header), $"relay header ({what}): {Hex.Of(body)}");
        if (!ok)
            return;
        RelayMessage? fromSpan = null, fromMemory = null;
        Outcome(() => fromSpan = RelayMessage.Decode(header.Command, data.Span), $"decode {header.Command} ({what}): {Hex.Of(data.Span)}");
        Outcome(() => fromMemory = RelayMessage.Decode(header.Command, data), $"decode {header.Command} from memory ({what}): {Hex.Of(data.Span)}");
        Assert.Equal(fromSpan, fromMemory);
        if (fromSpan is null)
            return;
        var again = new byte[RelayCell.BodyLength];
        if (fromSpan.EncodedLength > RelayCell.MaxDataLength)
        {
            // Canonical form grew past the cell (e.g. a FLAGS-less BEGIN near 498 bytes): refused, not crashed.
            Assert.Throws<CellFormatException>(() => RelayCell.Encode(again, header.StreamId, fromSpan));
            return;
        }
        RelayCell.Encode(again, header.StreamId, fromSpan);
        Assert.Equal(fromSpan, RelayMessage.Decode(header.Command, RelayCell.Decode(again, out var h2)));
        Assert.Equal(header.StreamId, h2.StreamId);
    }

    /// <summary>Runs <paramref name="action"/>; true if it returned, false on CellFormatException, fails on anything else.</summary>
    private static bool Outcome(Action action, string what)
    {
        try
        {
            action();
            return true;
        }
        catch (CellFormatException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            return false;
        }
        catch (Exception e)
        {
            Assert.Fail($"{e.GetType().Name} escaped from {what}: {e.Message}");
            return false;
        }
    }

    private static byte[] RandomBytes(Random rng, int length)
    {
        var b = new byte[length];
        rng.NextBytes(b);
        return b;
    }

    private static byte[] Mutate(Random rng, byte[] seed)
    {
        var b = new List<byte>(seed);
        var rounds = rng.Next(1, 4);
        for (var r = 0; r < rounds; r++)
        {
            var pos = b.Count == 0 ? 0 : rng.Next(b.Count);
            switch (rng.Next(8))
            {
                case 0 when b.Count > 0: b[pos] ^= (byte)(1 << rng.Next(8)); break;
                case 1 when b.Count > 0: b[pos] = (byte)rng.Next(256); break;
                case 2 when b.Count > 0: b[pos] = rng.Next(2) == 0 ? (byte)0 : (byte)0xFF; break;
                case 3: b.RemoveRange(pos, b.Count - pos); break;                          // truncate
                case 4: b.AddRange(RandomBytes(rng, rng.Next(1, 40))); break;               // extend
                case 5: b.Insert(pos, (byte)rng.Next(256)); break;
                case 6 when b.Count > 0: b.RemoveAt(pos); break;
                case 7 when b.Count > 1:                                                   // a plausible length field
                    var v = rng.Next(3) switch { 0 => rng.Next(0, 32), 1 => rng.Next(0, 600), _ => rng.Next(0, 65536) };
                    pos = Math.Min(pos, b.Count - 2);
                    b[pos] = (byte)(v >> 8);
                    b[pos + 1] = (byte)v;
                    break;
            }
        }
        return [.. b];
    }
}
