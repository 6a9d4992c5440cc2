namespace Burrow.Tor.Cells;

/// <summary>RELAY_DROP (tor-spec 6.2, 7.2): long-range padding; the receiver drops it. Sent empty
/// (the relay cell's own random padding fills it).</summary>
internal sealed record DropMessage : RelayMessage
{
    public static DropMessage Instance { get; } = new();

    public override RelayCommand Command => RelayCommand.Drop;
    public override int EncodedLength => 0;
    public override int Encode(Span<byte> data) => 0;

    public static DropMessage Decode(ReadOnlySpan<byte> data) => Instance;
}
