using System.Buffers.Binary;

namespace Burrow.Tor.Cells;

/// <summary>Big-endian writes into a destination that the caller sized with the message's
/// EncodedLength (checked once up front by <see cref="Create"/>, so the writes cannot overflow).</summary>
internal ref struct WireWriter
{
    private readonly Span<byte> _dest;
    private int _pos;

    private WireWriter(Span<byte> dest)
    {
        _dest = dest;
        _pos = 0;
    }

    /// <summary>A writer over <paramref name="dest"/>, which must hold <paramref name="needed"/> bytes.
    /// The name is only formatted when the check fails, so encoding does not allocate.</summary>
    public static WireWriter Create<TName>(Span<byte> dest, int needed, TName what) where TName : struct, Enum
    {
        if (dest.Length < needed)
            throw new ArgumentException($"{what}: destination has {dest.Length} byte(s), {needed} needed.", nameof(dest));
        return new WireWriter(dest);
    }

    public readonly int Position => _pos;

    public void WriteByte(byte v) => _dest[_pos++] = v;

    public void WriteUInt16(ushort v)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_dest[_pos..], v);
        _pos += 2;
    }

    public void WriteUInt32(uint v)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_dest[_pos..], v);
        _pos += 4;
    }

    public void WriteBytes(scoped ReadOnlySpan<byte> v)
    {
        v.CopyTo(_dest[_pos..]);
        _pos += v.Length;
    }
}
