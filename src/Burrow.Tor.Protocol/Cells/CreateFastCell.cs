namespace Burrow.Tor.Cells;

/// <summary>CREATE_FAST (tor-spec 5.1.5): key material X, HASH_LEN (20) bytes.</summary>
internal sealed record CreateFastCell(ReadOnlyMemory<byte> KeyMaterial) : ChannelMessage
{
    public const int KeyMaterialLength = 20;

    public override ChannelCommand Command => ChannelCommand.CreateFast;

    public override int EncodedLength => KeyMaterial.Length == KeyMaterialLength
        ? KeyMaterialLength
        : throw new CellFormatException($"CREATE_FAST cell: key material is {KeyMaterial.Length} bytes; it must be {KeyMaterialLength}.");

    public override int Encode(Span<byte> body)
    {
        var w = Writer(body);
        w.WriteBytes(KeyMaterial.Span);
        return w.Position;
    }

    public static CreateFastCell Decode(ReadOnlySpan<byte> body) =>
        new(new WireReader(body, "CREATE_FAST cell").ReadBytes(KeyMaterialLength, "key material X").ToArray());

    public bool Equals(CreateFastCell? other) => other is not null && ByteEquality.Equal(KeyMaterial, other.KeyMaterial);
    public override int GetHashCode() => ByteEquality.Hash(KeyMaterial);
}
