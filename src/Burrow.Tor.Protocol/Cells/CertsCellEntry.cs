namespace Burrow.Tor.Cells;

/// <summary>One certificate of a CERTS cell: its type and its encoded bytes (not parsed here).</summary>
internal sealed record CertsCellEntry(LinkCertType Type, ReadOnlyMemory<byte> Certificate)
{
    public bool Equals(CertsCellEntry? other) =>
        other is not null && Type == other.Type && ByteEquality.Equal(Certificate, other.Certificate);

    public override int GetHashCode() => HashCode.Combine(Type, ByteEquality.Hash(Certificate));
}
