namespace Burrow.Tor.Cells;

/// <summary>CREATE2 (tor-spec 5.1): HTYPE, HLEN, HDATA. Also the tail of an EXTEND2 message.</summary>
internal sealed record Create2Cell(HandshakeType HandshakeType, ReadOnlyMemory<byte> HandshakeData) : ChannelMessage
{
    /// <summary>HDATA that fits a fixed cell after HTYPE and HLEN.</summary>
    public const int MaxHandshakeDataLength = ChannelFraming.PayloadLength - 4;

    public override ChannelCommand Command => ChannelCommand.Create2;

    public override int EncodedLength => HandshakeData.Length <= MaxHandshakeDataLength
        ? 4 + HandshakeData.Length
        : throw new CellFormatException($"CREATE2 cell: HDATA of {HandshakeData.Length} bytes exceeds {MaxHandshakeDataLength}.");

    public override int Encode(Span<byte> body)
    {
        var w = Writer(body);
        w.WriteUInt16((ushort)HandshakeType);
        w.WriteUInt16((ushort)HandshakeData.Length);
        w.WriteBytes(HandshakeData.Span);
        return w.Position;
    }

    public static Create2Cell Decode(ReadOnlySpan<byte> body)
    {
        var r = new WireReader(body, "CREATE2 cell");
        var type = (HandshakeType)r.ReadUInt16("HTYPE");
        var len = r.ReadUInt16("HLEN");
        return new Create2Cell(type, r.ReadBytes(len, $"HDATA (HLEN {len})").ToArray());
    }

    public bool Equals(Create2Cell? other) =>
        other is not null && HandshakeType == other.HandshakeType && ByteEquality.Equal(HandshakeData, other.HandshakeData);

    public override int GetHashCode() => HashCode.Combine(HandshakeType, ByteEquality.Hash(HandshakeData));
}
