using System.Buffers;
using System.Buffers.Binary;

namespace Burrow.Tor.Cells;

/// <summary>Encodes channel cells (tor-spec 3) straight into the output: fixed cells padded with NUL
/// to PAYLOAD_LEN, variable-length cells with their 2-byte length. Nothing is allocated besides the output.</summary>
internal static class ChannelCellWriter
{
    /// <summary>Bytes <see cref="Write(Span{byte}, ChannelFraming, uint, ChannelMessage)"/> will produce.</summary>
    public static int GetCellLength(ChannelFraming framing, ChannelMessage message) =>
        framing.CellLength(message.Command, message.EncodedLength);

    public static int Write(Span<byte> destination, ChannelFraming framing, uint circId, ChannelMessage message)
    {
        var command = message.Command;
        var bodyLength = message.EncodedLength;
        var body = BeginCell(destination, framing, circId, command, bodyLength, out var headerLength);
        var written = message.Encode(body);
        if (written != bodyLength)
            throw new InvalidOperationException($"{command} encoder wrote {written} bytes but announced {bodyLength}.");
        return FinishCell(destination, framing, command, headerLength, bodyLength);
    }

    public static void Write(IBufferWriter<byte> writer, ChannelFraming framing, uint circId, ChannelMessage message)
    {
        var length = GetCellLength(framing, message);
        var span = writer.GetSpan(length);
        var n = Write(span, framing, circId, message);
        writer.Advance(n);
    }

    /// <summary>A cell whose body is already encoded (e.g. an encrypted RELAY body). A fixed cell's
    /// body may be shorter than PAYLOAD_LEN and is padded with NUL.</summary>
    public static int WriteRaw(Span<byte> destination, ChannelFraming framing, uint circId, ChannelCommand command, ReadOnlySpan<byte> body)
    {
        var target = BeginCell(destination, framing, circId, command, body.Length, out var headerLength);
        body.CopyTo(target);
        return FinishCell(destination, framing, command, headerLength, body.Length);
    }

    public static void WriteRaw(IBufferWriter<byte> writer, ChannelFraming framing, uint circId, ChannelCommand command, ReadOnlySpan<byte> body)
    {
        var span = writer.GetSpan(framing.CellLength(command, body.Length));
        writer.Advance(WriteRaw(span, framing, circId, command, body));
    }

    private static Span<byte> BeginCell(Span<byte> destination, ChannelFraming framing, uint circId, ChannelCommand command,
        int bodyLength, out int headerLength)
    {
        if (circId > framing.MaxCircId)
            throw new ArgumentOutOfRangeException(nameof(circId), circId, $"Circuit ID does not fit the {framing.CircIdLength}-byte field of {framing}.");
        var variable = ChannelFraming.IsVariableLength(command);
        if (variable && bodyLength > ChannelFraming.MaxVariableBodyLength)
            throw new CellFormatException($"{command} cell: body of {bodyLength} bytes exceeds the 2-byte length field (max {ChannelFraming.MaxVariableBodyLength}).");
        if (!variable && bodyLength > ChannelFraming.PayloadLength)
            throw new CellFormatException($"{command} cell: body of {bodyLength} bytes exceeds PAYLOAD_LEN ({ChannelFraming.PayloadLength}) of a fixed-length cell.");
        var total = framing.CellLength(command, bodyLength);
        if (destination.Length < total)
            throw new ArgumentException($"Destination has {destination.Length} byte(s); the {command} cell needs {total}.", nameof(destination));

        if (framing.CircIdLength == 2)
            BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)circId);
        else
            BinaryPrimitives.WriteUInt32BigEndian(destination, circId);
        destination[framing.CircIdLength] = (byte)command;
        if (variable)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[(framing.CircIdLength + 1)..], (ushort)bodyLength);
            headerLength = framing.VariableHeaderLength;
        }
        else
            headerLength = framing.FixedHeaderLength;
        return destination.Slice(headerLength, bodyLength);
    }

    private static int FinishCell(Span<byte> destination, ChannelFraming framing, ChannelCommand command, int headerLength, int bodyLength)
    {
        if (ChannelFraming.IsVariableLength(command))
            return headerLength + bodyLength;
        // Fixed cells: padding bytes SHOULD be NUL (tor-spec 3).
        destination.Slice(headerLength + bodyLength, ChannelFraming.PayloadLength - bodyLength).Clear();
        return framing.FixedCellLength;
    }
}
