namespace Burrow.Tor.Cells;

/// <summary>RELAY_EXTEND2 (tor-spec 5.1.2): NSPEC link specifiers, then HTYPE, HLEN, HDATA as in CREATE2.
/// At most one legacy identity and one Ed25519 identity may be listed. Clients SHOULD order the
/// specifiers [00], [02], [03], [01]; the codec keeps the order it is given.</summary>
internal sealed record Extend2Message(IReadOnlyList<LinkSpecifier> LinkSpecifiers, HandshakeType HandshakeType, ReadOnlyMemory<byte> HandshakeData)
    : RelayMessage
{
    private const string What = "RELAY_EXTEND2";

    public override RelayCommand Command => RelayCommand.Extend2;

    public override int EncodedLength
    {
        get
        {
            if (LinkSpecifiers.Count > byte.MaxValue)
                throw new CellFormatException($"{What}: {LinkSpecifiers.Count} link specifiers exceed NSPEC (max 255).");
            CheckIdentities(LinkSpecifiers);
            var n = 1;
            for (var i = 0; i < LinkSpecifiers.Count; i++)
                n += 2 + LinkSpecifiers[i].SpecLength;
            if (HandshakeData.Length > ushort.MaxValue)
                throw new CellFormatException($"{What}: HDATA of {HandshakeData.Length} bytes exceeds HLEN (max 65535).");
            return n + 4 + HandshakeData.Length;
        }
    }

    public override int Encode(Span<byte> data)
    {
        var w = Writer(data);
        w.WriteByte((byte)LinkSpecifiers.Count);
        for (var i = 0; i < LinkSpecifiers.Count; i++)
        {
            var s = LinkSpecifiers[i];
            w.WriteByte((byte)s.Type);
            w.WriteByte((byte)s.SpecLength);
            s.WriteSpec(ref w);
        }
        w.WriteUInt16((ushort)HandshakeType);
        w.WriteUInt16((ushort)HandshakeData.Length);
        w.WriteBytes(HandshakeData.Span);
        return w.Position;
    }

    public static Extend2Message Decode(ReadOnlySpan<byte> data)
    {
        var r = new WireReader(data, What);
        int n = r.ReadByte("NSPEC");
        var specs = new LinkSpecifier[n];
        for (var i = 0; i < n; i++)
            specs[i] = LinkSpecifier.Read(ref r, i);
        CheckIdentities(specs);
        var type = (HandshakeType)r.ReadUInt16("HTYPE");
        var len = r.ReadUInt16("HLEN");
        var hdata = r.ReadBytes(len, $"HDATA (HLEN {len})").ToArray();
        return new Extend2Message(specs, type, hdata);
    }

    private static void CheckIdentities(IReadOnlyList<LinkSpecifier> specs)
    {
        int legacy = 0, ed = 0;
        for (var i = 0; i < specs.Count; i++)
        {
            if (specs[i].Type == LinkSpecifierType.LegacyId) legacy++;
            else if (specs[i].Type == LinkSpecifierType.Ed25519Id) ed++;
        }
        if (legacy > 1 || ed > 1)
            throw new CellFormatException($"{What}: {legacy} legacy and {ed} Ed25519 identity link specifiers; at most one of each may be listed.");
    }

    public bool Equals(Extend2Message? other) =>
        other is not null && HandshakeType == other.HandshakeType && ByteEquality.Equal(LinkSpecifiers, other.LinkSpecifiers)
        && ByteEquality.Equal(HandshakeData, other.HandshakeData);

    public override int GetHashCode() => HashCode.Combine(HandshakeType, ByteEquality.Hash(LinkSpecifiers), ByteEquality.Hash(HandshakeData));
}
