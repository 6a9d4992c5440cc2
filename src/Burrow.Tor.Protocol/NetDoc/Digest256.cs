using System.Buffers.Binary;

namespace Burrow.Tor.NetDoc;

/// <summary>
/// A 32-byte value: a microdescriptor's SHA-256 digest (the consensus "m" line, the
/// /tor/micro/d/ URLs). A value type so dictionary lookups allocate nothing.
/// </summary>
internal readonly struct Digest256 : IEquatable<Digest256>
{
    public const int Length = 32;

    private readonly ulong _a;
    private readonly ulong _b;
    private readonly ulong _c;
    private readonly ulong _d;

    public Digest256(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
            throw new ArgumentException($"a 256-bit value is {Length} bytes, got {bytes.Length}", nameof(bytes));
        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _d = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    /// <summary>Parses unpadded (or padded) base64, as in consensus "m" lines.</summary>
    public static bool TryFromBase64(string base64, out Digest256 value)
    {
        Span<byte> b = stackalloc byte[Length];
        if (base64.Length <= 44 && System.Text.Encoding.ASCII.GetByteCount(base64) == base64.Length)
        {
            Span<byte> ascii = stackalloc byte[base64.Length];
            System.Text.Encoding.ASCII.GetBytes(base64, ascii);
            if (NetDocText.TryDecodeBase64Unpadded(ascii, b))
            {
                value = new Digest256(b);
                return true;
            }
        }
        value = default;
        return false;
    }

    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _d);
    }

    public byte[] ToArray()
    {
        var b = new byte[Length];
        CopyTo(b);
        return b;
    }

    /// <summary>Base64 without trailing '=' (the form used in "m" lines and in /tor/micro/d/ URLs).</summary>
    public string ToBase64Unpadded()
    {
        Span<byte> b = stackalloc byte[Length];
        CopyTo(b);
        return Convert.ToBase64String(b).TrimEnd('=');
    }

    public override string ToString() => ToBase64Unpadded();

    public bool Equals(Digest256 other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    public override bool Equals(object? obj) => obj is Digest256 other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_a, _b, _c, _d);

    public static bool operator ==(Digest256 left, Digest256 right) => left.Equals(right);

    public static bool operator !=(Digest256 left, Digest256 right) => !left.Equals(right);
}
