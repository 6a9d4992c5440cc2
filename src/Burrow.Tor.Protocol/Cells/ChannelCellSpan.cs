namespace Burrow.Tor.Cells;

/// <summary>A framed cell read from a contiguous buffer; <see cref="Body"/> is a slice of that buffer
/// (for fixed cells all 509 bytes, padding included).</summary>
internal readonly ref struct ChannelCellSpan
{
    public ChannelCellSpan(uint circId, ChannelCommand command, ReadOnlySpan<byte> body)
    {
        CircId = circId;
        Command = command;
        Body = body;
    }

    public uint CircId { get; }
    public ChannelCommand Command { get; }
    public ReadOnlySpan<byte> Body { get; }
}
