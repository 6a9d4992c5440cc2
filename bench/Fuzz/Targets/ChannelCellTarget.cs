using System.Buffers;
using System.Buffers.Binary;
using Burrow.Tor.Cells;

namespace Burrow.Fuzz.Targets;

/// <summary>The channel cell reader (tor-spec 3) and every channel-cell decoder behind it. Byte 0 picks the framing
/// (even: the initial 2-byte circuit IDs, odd: link v4/v5 4-byte ones), byte 1 where the bytes are split into two
/// segments for the ReadOnlySequence reader, the rest is what a relay sent. Both readers must cut the same cells.</summary>
internal sealed class ChannelCellTarget : FuzzTarget
{
    public override string Name => "cell-reader";

    public override string Description => "ChannelCellReader (span and split sequence) + ChannelMessage.Decode + RelayCell.Decode on received bytes";

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 2)
            return;
        var framing = (input[0] & 1) == 0 ? ChannelFraming.Initial : ChannelFraming.ForLinkVersion(4 + (input[0] >> 7));
        var bytes = input[2..];
        var split = bytes.Length == 0 ? 0 : input[1] % (bytes.Length + 1);
        var sequence = Split(bytes.ToArray(), split);

        var offset = 0;
        while (true)
        {
            var gotSpan = ChannelCellReader.TryRead(bytes[offset..], framing, out var cell, out var consumed);
            var gotSequence = ChannelCellReader.TryRead(sequence, framing, out var frame);
            if (gotSpan != gotSequence)
                throw new InvalidOperationException($"span reader says {gotSpan}, sequence reader says {gotSequence} at offset {offset}");
            if (!gotSpan)
                return;
            if (frame.Length != consumed || frame.Command != cell.Command || frame.CircId != cell.CircId || frame.Body.Length != cell.Body.Length)
                throw new InvalidOperationException($"span and sequence readers cut different cells at offset {offset}");
            if (consumed <= 0)
                throw new InvalidOperationException("the reader returned a cell of no bytes (it would loop forever)");
            Decode(cell.Command, cell.Body);
            offset += consumed;
            sequence = sequence.Slice(consumed);
        }
    }

    private static void Decode(ChannelCommand command, ReadOnlySpan<byte> body)
    {
        try
        {
            var message = ChannelMessage.Decode(command, body);
            // Whatever decodes must encode again into a cell-sized body.
            var encoded = new byte[Math.Max(message.EncodedLength, 0)];
            if (message.Encode(encoded) != message.EncodedLength)
                throw new InvalidOperationException($"{command}: Encode wrote other than EncodedLength");
        }
        catch (CellFormatException)
        {
        }
        if (command is ChannelCommand.Relay or ChannelCommand.RelayEarly)
            RelayMessageTarget.DecodeRelayBody(body);
    }

    private static ReadOnlySequence<byte> Split(byte[] bytes, int at)
    {
        if (at <= 0 || at >= bytes.Length)
            return new ReadOnlySequence<byte>(bytes);
        var first = new Segment(bytes.AsMemory(0, at), 0);
        var last = first.Append(bytes.AsMemory(at));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    public override IEnumerable<byte[]> Seeds(SeedData data)
    {
        // VERSIONS with 2-byte circuit IDs, as a relay's first cell.
        yield return [0, 0, 0, 0, 7, 0, 4, 0, 3, 0, 4, 0, 5];
        var certs = CertsTarget.ChutneyCertsBody(data);
        var netinfo = new byte[ChannelFraming.PayloadLength];
        netinfo[0..4].AsSpan().Clear();
        BinaryPrimitives.WriteUInt32BigEndian(netinfo, 0x5F000000);
        netinfo[4] = 4; netinfo[5] = 4; netinfo[6] = 127; netinfo[9] = 1; netinfo[10] = 1; netinfo[11] = 4; netinfo[12] = 4; netinfo[13] = 127; netinfo[16] = 2;
        var relay = new byte[ChannelFraming.PayloadLength];
        relay[0] = 2; // DATA
        relay[4] = 1; // stream 1
        relay[10] = 5; // length 5
        "hello"u8.CopyTo(relay.AsSpan(11));
        var destroy = new byte[ChannelFraming.PayloadLength];
        destroy[0] = 8;
        var createdFast = new byte[ChannelFraming.PayloadLength];
        createdFast.AsSpan(0, 40).Fill(0x5A);
        var handshake = new List<byte>([1, 0]);
        handshake.AddRange(VarCell(0, ChannelCommand.Certs, certs));
        handshake.AddRange(VarCell(0, ChannelCommand.AuthChallenge, [.. new byte[32], 0, 2, 0, 1, 0, 3]));
        handshake.AddRange(FixedCell(0, ChannelCommand.Netinfo, netinfo));
        yield return [.. handshake];
        var circuit = new List<byte>([1, 7]);
        circuit.AddRange(FixedCell(0x80000001, ChannelCommand.CreatedFast, createdFast));
        circuit.AddRange(FixedCell(0x80000001, ChannelCommand.Relay, relay));
        circuit.AddRange(VarCell(0, ChannelCommand.VPadding, new byte[17]));
        circuit.AddRange(FixedCell(0, ChannelCommand.Padding, new byte[ChannelFraming.PayloadLength]));
        circuit.AddRange(FixedCell(0x80000001, ChannelCommand.Destroy, destroy));
        yield return [.. circuit];
        foreach (var message in RelayMessageTarget.SampleMessages())
        {
            var body = new byte[ChannelFraming.PayloadLength];
            body[0] = message[0];
            body[3] = message[1]; body[4] = message[2];
            var length = message.Length - 3;
            body[9] = (byte)(length >> 8); body[10] = (byte)length;
            message.AsSpan(3).CopyTo(body.AsSpan(11));
            yield return [1, 0, .. FixedCell(0x80000002, ChannelCommand.Relay, body)];
        }
    }

    private static byte[] FixedCell(uint circId, ChannelCommand command, byte[] body)
    {
        var cell = new byte[4 + 1 + ChannelFraming.PayloadLength];
        BinaryPrimitives.WriteUInt32BigEndian(cell, circId);
        cell[4] = (byte)command;
        body.AsSpan(0, Math.Min(body.Length, ChannelFraming.PayloadLength)).CopyTo(cell.AsSpan(5));
        return cell;
    }

    private static byte[] VarCell(uint circId, ChannelCommand command, byte[] body)
    {
        var cell = new byte[4 + 1 + 2 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(cell, circId);
        cell[4] = (byte)command;
        BinaryPrimitives.WriteUInt16BigEndian(cell.AsSpan(5), (ushort)body.Length);
        body.CopyTo(cell.AsSpan(7));
        return cell;
    }
}
