namespace Burrow.Tor.Cells;

/// <summary>PADDING (tor-spec 3, 7.2): a keepalive whose body is only padding.</summary>
internal sealed record PaddingCell : ChannelMessage
{
    public static PaddingCell Instance { get; } = new();

    public override ChannelCommand Command => ChannelCommand.Padding;
    public override int EncodedLength => 0;
    public override int Encode(Span<byte> body) => 0;

    /// <summary>Receivers MUST ignore padding bytes, so any body decodes.</summary>
    public static PaddingCell Decode(ReadOnlySpan<byte> body) => Instance;
}
