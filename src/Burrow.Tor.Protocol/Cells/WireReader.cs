using System.Buffers.Binary;

namespace Burrow.Tor.Cells;

/// <summary>Big-endian reads over a cell body that throw <see cref="CellFormatException"/> naming the
/// cell and field instead of running off the end.</summary>
internal ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _what;
    private int _pos;

    public WireReader(ReadOnlySpan<byte> data, string what)
    {
        _data = data;
        _what = what;
        _pos = 0;
    }

    public readonly int Position => _pos;
    public readonly int Remaining => _data.Length - _pos;
    public readonly ReadOnlySpan<byte> Rest => _data[_pos..];

    public byte ReadByte(string field)
    {
        Need(1, field);
        return _data[_pos++];
    }

    public ushort ReadUInt16(string field)
    {
        Need(2, field);
        var v = BinaryPrimitives.ReadUInt16BigEndian(_data[_pos..]);
        _pos += 2;
        return v;
    }

    public uint ReadUInt32(string field)
    {
        Need(4, field);
        var v = BinaryPrimitives.ReadUInt32BigEndian(_data[_pos..]);
        _pos += 4;
        return v;
    }

    public ReadOnlySpan<byte> ReadBytes(int count, string field)
    {
        Need(count, field);
        var s = _data.Slice(_pos, count);
        _pos += count;
        return s;
    }

    /// <summary>The offset of <paramref name="count"/> bytes taken, for callers that slice a
    /// <see cref="ReadOnlyMemory{T}"/> instead of copying.</summary>
    public int Skip(int count, string field)
    {
        Need(count, field);
        var start = _pos;
        _pos += count;
        return start;
    }

    private readonly void Need(int count, string field)
    {
        if (count > _data.Length - _pos)
            throw new CellFormatException(
                $"{_what}: truncated at {field}: needs {count} byte(s) at offset {_pos} but the body has {_data.Length - _pos} left.");
    }
}
