namespace Burrow.Tor.Cells;

/// <summary>CREATED_FAST (tor-spec 5.1.5): key material Y and derivative key data KH, 20 bytes each.</summary>
internal sealed record CreatedFastCell(ReadOnlyMemory<byte> KeyMaterial, ReadOnlyMemory<byte> DerivativeKeyData) : ChannelMessage
{
    public const int FieldLength = 20;

    public override ChannelCommand Command => ChannelCommand.CreatedFast;

    public override int EncodedLength => KeyMaterial.Length == FieldLength && DerivativeKeyData.Length == FieldLength
        ? 2 * FieldLength
        : throw new CellFormatException(
            $"CREATED_FAST cell: key material ({KeyMaterial.Length}) and derivative key data ({DerivativeKeyData.Length}) must be {FieldLength} bytes each.");

    public override int Encode(Span<byte> body)
    {
        var w = Writer(body);
        w.WriteBytes(KeyMaterial.Span);
        w.WriteBytes(DerivativeKeyData.Span);
        return w.Position;
    }

    public static CreatedFastCell Decode(ReadOnlySpan<byte> body)
    {
        var r = new WireReader(body, "CREATED_FAST cell");
        var y = r.ReadBytes(FieldLength, "key material Y").ToArray();
        var kh = r.ReadBytes(FieldLength, "derivative key data KH").ToArray();
        return new CreatedFastCell(y, kh);
    }

    public bool Equals(CreatedFastCell? other) =>
        other is not null && ByteEquality.Equal(KeyMaterial, other.KeyMaterial) && ByteEquality.Equal(DerivativeKeyData, other.DerivativeKeyData);

    public override int GetHashCode() => HashCode.Combine(ByteEquality.Hash(KeyMaterial), ByteEquality.Hash(DerivativeKeyData));
}
