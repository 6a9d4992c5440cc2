namespace Burrow.Tor.Cells;

/// <summary>RELAY_BEGIN_DIR (tor-spec 6.2.1): clients send an empty payload; relays ignore it.</summary>
internal sealed record BeginDirMessage : RelayMessage
{
    public static BeginDirMessage Instance { get; } = new();

    public override RelayCommand Command => RelayCommand.BeginDir;
    public override int EncodedLength => 0;
    public override int Encode(Span<byte> data) => 0;

    public static BeginDirMessage Decode(ReadOnlySpan<byte> data) => Instance;
}
