namespace Burrow.Tor.Cells;

/// <summary>RELAY_TRUNCATE (tor-spec 5.4): asks the hop to tear down the rest of the circuit; no payload.</summary>
internal sealed record TruncateMessage : RelayMessage
{
    public static TruncateMessage Instance { get; } = new();

    public override RelayCommand Command => RelayCommand.Truncate;
    public override int EncodedLength => 0;
    public override int Encode(Span<byte> data) => 0;

    public static TruncateMessage Decode(ReadOnlySpan<byte> data) => Instance;
}
