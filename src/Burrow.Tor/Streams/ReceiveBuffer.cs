using Burrow.Tor.Cells;

namespace Burrow.Tor.Streams;

/// <summary>
/// Received stream data waiting for the reader: a byte ring that starts small and doubles as needed.
/// Its bound follows from tor-spec 7.4: a SENDME goes out only while fewer than ten cells wait, after
/// which the exit may send a whole window (500 cells of at most 498 bytes) on top of them. Data is
/// copied in once and out once; nothing is allocated per cell. Not thread-safe: the stream locks around it.
/// </summary>
internal sealed class ReceiveBuffer
{
    private const int InitialCapacity = 8 * 1024;

    /// <summary>Fewer than ten cells when the last SENDME went out, plus a full window.</summary>
    public const int MaxCapacity = (TorStream.WindowStart + TorStream.SendmeBufferedCellLimit) * RelayCell.MaxDataLength;

    private byte[] _ring = [];
    private int _head;

    /// <summary>A buffer bounded as the stream window allows.</summary>
    public ReceiveBuffer()
        : this(MaxCapacity)
    {
    }

    /// <summary>A buffer of at most <paramref name="maxCapacity"/> bytes (XON/XOFF streams: the XOFF limit plus what may be in flight).</summary>
    public ReceiveBuffer(int maxCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCapacity, RelayCell.MaxDataLength);
        Capacity = maxCapacity;
    }

    /// <summary>The most bytes this buffer holds.</summary>
    public int Capacity { get; }

    public int Bytes { get; private set; }

    /// <summary>Whole or partial cell payloads still to be read (the stream SENDME rule counts these).</summary>
    public int Cells => (Bytes + RelayCell.MaxDataLength - 1) / RelayCell.MaxDataLength;

    public void Add(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
            return;
        if (Bytes + data.Length > _ring.Length)
            Grow(Bytes + data.Length);
        var tail = (_head + Bytes) % _ring.Length;
        var first = Math.Min(data.Length, _ring.Length - tail);
        data[..first].CopyTo(_ring.AsSpan(tail));
        data[first..].CopyTo(_ring);
        Bytes += data.Length;
    }

    /// <summary>Moves as much as fits into <paramref name="destination"/>; returns the byte count.</summary>
    public int Read(Span<byte> destination)
    {
        var n = Math.Min(destination.Length, Bytes);
        if (n == 0)
            return 0;
        var first = Math.Min(n, _ring.Length - _head);
        _ring.AsSpan(_head, first).CopyTo(destination);
        _ring.AsSpan(0, n - first).CopyTo(destination[first..]);
        _head = (_head + n) % _ring.Length;
        Bytes -= n;
        if (Bytes == 0)
            _head = 0;
        return n;
    }

    /// <summary>Drops the data and the memory.</summary>
    public void Clear()
    {
        _ring = [];
        _head = 0;
        Bytes = 0;
    }

    private void Grow(int needed)
    {
        if (needed > Capacity)
            throw new InvalidOperationException($"More than {Capacity} bytes buffered: the stream window should have prevented this.");
        var capacity = Math.Max(InitialCapacity, _ring.Length);
        while (capacity < needed)
            capacity *= 2;
        capacity = Math.Min(capacity, Capacity);
        var bigger = new byte[capacity];
        var count = Bytes;
        Read(bigger);
        _ring = bigger;
        _head = 0;
        Bytes = count;
    }
}
