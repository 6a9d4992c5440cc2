using System.Buffers;
using System.Buffers.Binary;

namespace Burrow.Tor.Cells;

/// <summary>Cuts channel cells out of received bytes (tor-spec 3): returns a complete cell, or false
/// when more bytes are needed. No cell is longer than <see cref="ChannelFraming.MaxCellLength"/>, so a
/// reader never needs to buffer more than that.</summary>
internal static class ChannelCellReader
{
    public static bool TryRead(ReadOnlySpan<byte> buffer, ChannelFraming framing, out ChannelCellSpan cell, out int consumed)
    {
        if (!TryReadHeader(buffer, framing, out var circId, out var command, out var headerLength, out var bodyLength)
            || buffer.Length - headerLength < bodyLength)
        {
            cell = default;
            consumed = 0;
            return false;
        }
        cell = new ChannelCellSpan(circId, command, buffer.Slice(headerLength, bodyLength));
        consumed = headerLength + bodyLength;
        return true;
    }

    public static bool TryRead(in ReadOnlySequence<byte> buffer, ChannelFraming framing, out ChannelCellFrame frame)
    {
        Span<byte> header = stackalloc byte[ChannelFraming.MaxHeaderLength];
        scoped ReadOnlySpan<byte> h;
        if (buffer.FirstSpan.Length >= ChannelFraming.MaxHeaderLength || buffer.IsSingleSegment)
            h = buffer.FirstSpan;
        else
        {
            var n = (int)Math.Min(buffer.Length, ChannelFraming.MaxHeaderLength);
            buffer.Slice(0, n).CopyTo(header);
            h = header[..n];
        }
        if (!TryReadHeader(h, framing, out var circId, out var command, out var headerLength, out var bodyLength)
            || buffer.Length - headerLength < bodyLength)
        {
            frame = default;
            return false;
        }
        var body = buffer.Slice(headerLength, bodyLength);
        frame = new ChannelCellFrame(circId, command, body, body.End, headerLength + bodyLength);
        return true;
    }

    private static bool TryReadHeader(ReadOnlySpan<byte> h, ChannelFraming framing,
        out uint circId, out ChannelCommand command, out int headerLength, out int bodyLength)
    {
        var idLen = framing.CircIdLength;
        circId = 0;
        command = default;
        headerLength = 0;
        bodyLength = 0;
        if (h.Length < idLen + 1)
            return false;
        circId = idLen == 2 ? BinaryPrimitives.ReadUInt16BigEndian(h) : BinaryPrimitives.ReadUInt32BigEndian(h);
        command = (ChannelCommand)h[idLen];
        if (ChannelFraming.IsVariableLength(command))
        {
            if (h.Length < idLen + 3)
                return false;
            headerLength = idLen + 3;
            bodyLength = BinaryPrimitives.ReadUInt16BigEndian(h[(idLen + 1)..]);
        }
        else
        {
            headerLength = idLen + 1;
            bodyLength = ChannelFraming.PayloadLength;
        }
        return true;
    }
}
