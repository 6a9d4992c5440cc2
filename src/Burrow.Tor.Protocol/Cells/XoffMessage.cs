namespace Burrow.Tor.Cells;

/// <summary>RELAY_XOFF (proposal 324 section 4.1): stop sending on this stream until XON. Version 0 only.</summary>
internal sealed record XoffMessage : RelayMessage
{
    private const string What = "RELAY_XOFF";

    public static XoffMessage Instance { get; } = new();

    public override RelayCommand Command => RelayCommand.Xoff;
    public override int EncodedLength => 1;

    public override int Encode(Span<byte> data)
    {
        var w = Writer(data);
        w.WriteByte(0);
        return w.Position;
    }

    public static XoffMessage Decode(ReadOnlySpan<byte> data)
    {
        var r = new WireReader(data, What);
        var version = r.ReadByte("VERSION");
        if (version != 0)
            throw new CellFormatException($"{What}: version {version} is not known (only 0).");
        return Instance;
    }
}
