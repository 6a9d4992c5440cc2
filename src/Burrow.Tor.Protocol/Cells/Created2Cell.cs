namespace Burrow.Tor.Cells;

/// <summary>CREATED2 (tor-spec 5.1): HLEN, HDATA. EXTENDED2 carries the same payload.</summary>
internal sealed record Created2Cell(ReadOnlyMemory<byte> HandshakeData) : ChannelMessage
{
    public const int MaxHandshakeDataLength = ChannelFraming.PayloadLength - 2;

    public override ChannelCommand Command => ChannelCommand.Created2;

    public override int EncodedLength => HandshakeData.Length <= MaxHandshakeDataLength
        ? 2 + HandshakeData.Length
        : throw new CellFormatException($"CREATED2 cell: HDATA of {HandshakeData.Length} bytes exceeds {MaxHandshakeDataLength}.");

    public override int Encode(Span<byte> body)
    {
        var w = Writer(body);
        w.WriteUInt16((ushort)HandshakeData.Length);
        w.WriteBytes(HandshakeData.Span);
        return w.Position;
    }

    public static Created2Cell Decode(ReadOnlySpan<byte> body) => new(DecodeHandshakeData(body, "CREATED2 cell"));

    internal static byte[] DecodeHandshakeData(ReadOnlySpan<byte> body, string what)
    {
        var r = new WireReader(body, what);
        var len = r.ReadUInt16("HLEN");
        return r.ReadBytes(len, $"HDATA (HLEN {len})").ToArray();
    }

    public bool Equals(Created2Cell? other) => other is not null && ByteEquality.Equal(HandshakeData, other.HandshakeData);
    public override int GetHashCode() => ByteEquality.Hash(HandshakeData);
}
