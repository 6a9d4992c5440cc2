using System.Buffers;

namespace Burrow.Tor.Cells;

/// <summary>A framed cell read from a <see cref="ReadOnlySequence{T}"/> (a pipe's buffer). <see cref="Body"/>
/// is a slice of that buffer and is valid until the reader advances past <see cref="End"/>.</summary>
internal readonly struct ChannelCellFrame
{
    public ChannelCellFrame(uint circId, ChannelCommand command, ReadOnlySequence<byte> body, SequencePosition end, int length)
    {
        CircId = circId;
        Command = command;
        Body = body;
        End = end;
        Length = length;
    }

    public uint CircId { get; }
    public ChannelCommand Command { get; }
    public ReadOnlySequence<byte> Body { get; }

    /// <summary>The position just after the cell: what to pass to PipeReader.AdvanceTo.</summary>
    public SequencePosition End { get; }

    /// <summary>Bytes the whole cell took on the wire.</summary>
    public int Length { get; }

    /// <summary>The body as one span: the buffer itself when it is one segment, otherwise a copy in
    /// <paramref name="scratch"/> (at least <see cref="ChannelFraming.PayloadLength"/> bytes for fixed cells,
    /// <see cref="ChannelFraming.MaxVariableBodyLength"/> to cover any cell).</summary>
    public ReadOnlySpan<byte> GetBody(Span<byte> scratch)
    {
        if (Body.IsSingleSegment)
            return Body.FirstSpan;
        var len = (int)Body.Length;
        if (scratch.Length < len)
            throw new ArgumentException($"Scratch buffer of {scratch.Length} byte(s) is too small for a {len}-byte cell body.", nameof(scratch));
        Body.CopyTo(scratch);
        return scratch[..len];
    }
}
