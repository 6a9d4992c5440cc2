namespace Burrow.Tor.Cells;

/// <summary>RELAY_EXTENDED2 (tor-spec 5.1.2): the payload of the CREATED2 the next hop sent: HLEN, HDATA.</summary>
internal sealed record Extended2Message(ReadOnlyMemory<byte> HandshakeData) : RelayMessage
{
    public override RelayCommand Command => RelayCommand.Extended2;

    public override int EncodedLength => HandshakeData.Length <= RelayCell.MaxDataLength - 2
        ? 2 + HandshakeData.Length
        : throw new CellFormatException($"RELAY_EXTENDED2: HDATA of {HandshakeData.Length} bytes does not fit a relay cell.");

    public override int Encode(Span<byte> data)
    {
        var w = Writer(data);
        w.WriteUInt16((ushort)HandshakeData.Length);
        w.WriteBytes(HandshakeData.Span);
        return w.Position;
    }

    public static Extended2Message Decode(ReadOnlySpan<byte> data) => new(Created2Cell.DecodeHandshakeData(data, "RELAY_EXTENDED2"));

    public bool Equals(Extended2Message? other) => other is not null && ByteEquality.Equal(HandshakeData, other.HandshakeData);
    public override int GetHashCode() => ByteEquality.Hash(HandshakeData);
}
