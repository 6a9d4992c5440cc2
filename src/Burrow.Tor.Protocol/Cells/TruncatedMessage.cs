namespace Burrow.Tor.Cells;

/// <summary>RELAY_TRUNCATED (tor-spec 5.4): the circuit was cut after this hop; one reason byte as in DESTROY.</summary>
internal sealed record TruncatedMessage(DestroyReason Reason) : RelayMessage
{
    public override RelayCommand Command => RelayCommand.Truncated;
    public override int EncodedLength => 1;

    public override int Encode(Span<byte> data)
    {
        var w = Writer(data);
        w.WriteByte((byte)Reason);
        return 1;
    }

    public static TruncatedMessage Decode(ReadOnlySpan<byte> data) =>
        new((DestroyReason)new WireReader(data, "RELAY_TRUNCATED").ReadByte("reason"));
}
