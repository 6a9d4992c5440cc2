using System.Buffers.Binary;

namespace Burrow.Tor.Identities;

/// <summary>
/// A 20-byte SHA-1 digest of an RSA key (tor-spec 1.1): a relay's identity, an authority's
/// v3ident or a signing-key digest. The one type for it from the wire to the guard file: a value
/// type so lookups by identity allocate nothing; ordering is the byte order the consensus sorts
/// by. Text forms: 40 hex digits (fingerprints, dir-spec) and "$" + hex (<see cref="ToString"/>).
/// </summary>
internal readonly struct RsaIdentity : IEquatable<RsaIdentity>, IComparable<RsaIdentity>
{
    public const int Length = 20;

    private readonly ulong _a;
    private readonly ulong _b;
    private readonly uint _c;

    public RsaIdentity(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
            throw new ArgumentException($"an RSA identity is {Length} bytes, got {bytes.Length}", nameof(bytes));
        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]);
    }

    /// <summary>Parses 40 hexadecimal digits (either case).</summary>
    /// <exception cref="FormatException">Not 40 hexadecimal digits.</exception>
    public static RsaIdentity FromHex(string hex)
    {
        if (!TryFromHex(hex, out var id))
            throw new FormatException($"an RSA identity must be {Length * 2} hexadecimal digits: '{hex}'");
        return id;
    }

    public static bool TryFromHex(ReadOnlySpan<char> hex, out RsaIdentity id)
    {
        Span<byte> b = stackalloc byte[Length];
        if (hex.Length == Length * 2 && Convert.FromHexString(hex, b, out _, out var written) == System.Buffers.OperationStatus.Done && written == Length)
        {
            id = new RsaIdentity(b);
            return true;
        }
        id = default;
        return false;
    }

    /// <summary>Parses 20 raw bytes (a CERTS cell's proven key digest, a legacy link specifier).</summary>
    /// <exception cref="ArgumentException">Not 20 bytes.</exception>
    public static RsaIdentity FromBytes(ReadOnlySpan<byte> bytes) => new(bytes);

    /// <summary>Whether <paramref name="bytes"/> are this identity's 20 bytes.</summary>
    public bool Matches(ReadOnlySpan<byte> bytes) => bytes.Length == Length && Equals(new RsaIdentity(bytes));

    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], _c);
    }

    public byte[] ToArray()
    {
        var b = new byte[Length];
        CopyTo(b);
        return b;
    }

    /// <summary>40 upper-case hex digits, the usual fingerprint form.</summary>
    public string ToHex()
    {
        Span<byte> b = stackalloc byte[Length];
        CopyTo(b);
        return Convert.ToHexString(b);
    }

    public override string ToString() => "$" + ToHex();

    public bool Equals(RsaIdentity other) => _a == other._a && _b == other._b && _c == other._c;

    public override bool Equals(object? obj) => obj is RsaIdentity other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_a, _b, _c);

    public int CompareTo(RsaIdentity other)
    {
        var c = _a.CompareTo(other._a);
        if (c != 0)
            return c;
        c = _b.CompareTo(other._b);
        return c != 0 ? c : _c.CompareTo(other._c);
    }

    public static bool operator ==(RsaIdentity left, RsaIdentity right) => left.Equals(right);

    public static bool operator !=(RsaIdentity left, RsaIdentity right) => !left.Equals(right);
}
