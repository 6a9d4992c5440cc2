namespace Burrow.Tor.Cells;

/// <summary>RELAY_XON (proposal 324 section 4.1): the stream may send again; KBPS_EWMA is the advisory
/// drain rate in units of 1000 bytes per second, 0 meaning unlimited. Version 0 is the only one known;
/// other versions are a protocol violation.</summary>
internal sealed record XonMessage(uint KbpsEwma) : RelayMessage
{
    private const string What = "RELAY_XON";

    public override RelayCommand Command => RelayCommand.Xon;
    public override int EncodedLength => 5;

    public override int Encode(Span<byte> data)
    {
        var w = Writer(data);
        w.WriteByte(0);
        w.WriteUInt32(KbpsEwma);
        return w.Position;
    }

    public static XonMessage Decode(ReadOnlySpan<byte> data)
    {
        var r = new WireReader(data, What);
        var version = r.ReadByte("VERSION");
        if (version != 0)
            throw new CellFormatException($"{What}: version {version} is not known (only 0).");
        return new XonMessage(r.ReadUInt32("KBPS_EWMA"));
    }
}
