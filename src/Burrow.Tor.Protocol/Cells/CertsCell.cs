namespace Burrow.Tor.Cells;

/// <summary>CERTS (tor-spec 4.2): N certificates, each CertType, CLEN, bytes. Extra bytes at the end are
/// ignored; a cell may hold no more than one certificate of each type.</summary>
internal sealed record CertsCell(IReadOnlyList<CertsCellEntry> Certificates) : ChannelMessage
{
    public override ChannelCommand Command => ChannelCommand.Certs;

    public override int EncodedLength
    {
        get
        {
            if (Certificates.Count > byte.MaxValue)
                throw new CellFormatException($"CERTS cell: {Certificates.Count} certificates exceed the 1-byte count (max 255).");
            var n = 1;
            for (var i = 0; i < Certificates.Count; i++)
            {
                var c = Certificates[i];
                if (c.Certificate.Length > ushort.MaxValue)
                    throw new CellFormatException($"CERTS cell: a type {(byte)c.Type} certificate of {c.Certificate.Length} bytes exceeds CLEN (max 65535).");
                n += 3 + c.Certificate.Length;
            }
            return n;
        }
    }

    public override int Encode(Span<byte> body)
    {
        var w = Writer(body);
        w.WriteByte((byte)Certificates.Count);
        Span<bool> seen = stackalloc bool[256];
        for (var i = 0; i < Certificates.Count; i++)
        {
            var c = Certificates[i];
            if (seen[(byte)c.Type])
                throw new CellFormatException($"CERTS cell: more than one certificate of type {(byte)c.Type}; at most one of each type is allowed.");
            seen[(byte)c.Type] = true;
            w.WriteByte((byte)c.Type);
            w.WriteUInt16((ushort)c.Certificate.Length);
            w.WriteBytes(c.Certificate.Span);
        }
        return w.Position;
    }

    public static CertsCell Decode(ReadOnlySpan<byte> body)
    {
        var r = new WireReader(body, "CERTS cell");
        int count = r.ReadByte("N");
        var certs = new CertsCellEntry[count];
        Span<bool> seen = stackalloc bool[256];
        for (var i = 0; i < count; i++)
        {
            var type = r.ReadByte($"certificate {i} CertType");
            if (seen[type])
                throw new CellFormatException($"CERTS cell: certificate {i} repeats CertType {type}; at most one of each type is allowed.");
            seen[type] = true;
            var len = r.ReadUInt16($"certificate {i} CLEN");
            var bytes = r.ReadBytes(len, $"certificate {i} (CLEN {len})");
            certs[i] = new CertsCellEntry((LinkCertType)type, bytes.ToArray());
        }
        return new CertsCell(certs);
    }

    /// <summary>The certificate of <paramref name="type"/>, or null.</summary>
    public CertsCellEntry? Find(LinkCertType type)
    {
        for (var i = 0; i < Certificates.Count; i++)
            if (Certificates[i].Type == type)
                return Certificates[i];
        return null;
    }

    public bool Equals(CertsCell? other) => other is not null && ByteEquality.Equal(Certificates, other.Certificates);
    public override int GetHashCode() => ByteEquality.Hash(Certificates);
}
