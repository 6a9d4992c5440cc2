namespace Burrow.Tor.Cells;

/// <summary>VPADDING (tor-spec 3, 7.2): variable-length padding; only its length matters.</summary>
internal sealed record VPaddingCell(int Length) : ChannelMessage
{
    public override ChannelCommand Command => ChannelCommand.VPadding;

    public override int EncodedLength => Length is >= 0 and <= ChannelFraming.MaxVariableBodyLength
        ? Length
        : throw new CellFormatException($"VPADDING cell: length {Length} is outside 0..{ChannelFraming.MaxVariableBodyLength}.");

    public override int Encode(Span<byte> body)
    {
        var n = EncodedLength;
        body[..n].Clear();
        return n;
    }

    public static VPaddingCell Decode(ReadOnlySpan<byte> body) => new(body.Length);
}
