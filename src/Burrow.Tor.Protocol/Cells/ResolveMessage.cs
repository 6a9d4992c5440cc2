namespace Burrow.Tor.Cells;

/// <summary>RELAY_RESOLVE (tor-spec 6.4): a NUL-terminated hostname (or in-addr.arpa name for a reverse lookup).</summary>
internal sealed record ResolveMessage(string Hostname) : RelayMessage
{
    private const string What = "RELAY_RESOLVE";

    public override RelayCommand Command => RelayCommand.Resolve;

    public override int EncodedLength
    {
        get
        {
            WireText.Check(Hostname, What, "hostname");
            return Hostname.Length + 1;
        }
    }

    public override int Encode(Span<byte> data)
    {
        var w = Writer(data);
        WireText.WriteNulTerminated(ref w, Hostname);
        return w.Position;
    }

    public static ResolveMessage Decode(ReadOnlySpan<byte> data)
    {
        var r = new WireReader(data, What);
        return new ResolveMessage(WireText.ReadNulTerminated(ref r, What, "hostname"));
    }
}
