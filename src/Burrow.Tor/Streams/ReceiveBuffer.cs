using System.Buffers;
using Burrow.Tor.Cells;

namespace Burrow.Tor.Streams;

/// <summary>
/// Received stream data waiting for the reader: one pooled buffer per DATA cell, in order. Its size is
/// bounded by the stream window (tor-spec 7.4: the exit may not send more than 500 unacknowledged
/// cells). Not thread-safe: the stream locks around it.
/// </summary>
internal sealed class ReceiveBuffer
{
    private Chunk[] _chunks = new Chunk[16];
    private int _head;
    private int _count;

    /// <summary>Cells whose data has not been read completely.</summary>
    public int Cells => _count;

    public int Bytes { get; private set; }

    public void Add(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
            return;
        if (_count == _chunks.Length)
            Grow();
        var buffer = ArrayPool<byte>.Shared.Rent(RelayCell.MaxDataLength);
        data.CopyTo(buffer);
        _chunks[(_head + _count) % _chunks.Length] = new Chunk(buffer, 0, data.Length);
        _count++;
        Bytes += data.Length;
    }

    /// <summary>Moves as much as fits into <paramref name="destination"/>; returns the byte count.</summary>
    public int Read(Span<byte> destination)
    {
        var total = 0;
        while (_count > 0 && !destination.IsEmpty)
        {
            ref var chunk = ref _chunks[_head];
            var n = Math.Min(chunk.Length, destination.Length);
            chunk.Buffer.AsSpan(chunk.Offset, n).CopyTo(destination);
            destination = destination[n..];
            total += n;
            chunk.Offset += n;
            chunk.Length -= n;
            if (chunk.Length == 0)
            {
                ArrayPool<byte>.Shared.Return(chunk.Buffer);
                chunk = default;
                _head = (_head + 1) % _chunks.Length;
                _count--;
            }
        }
        Bytes -= total;
        return total;
    }

    /// <summary>Returns every buffer to the pool.</summary>
    public void Clear()
    {
        while (_count > 0)
        {
            ArrayPool<byte>.Shared.Return(_chunks[_head].Buffer);
            _chunks[_head] = default;
            _head = (_head + 1) % _chunks.Length;
            _count--;
        }
        Bytes = 0;
    }

    private void Grow()
    {
        var bigger = new Chunk[_chunks.Length * 2];
        for (var i = 0; i < _count; i++)
            bigger[i] = _chunks[(_head + i) % _chunks.Length];
        _chunks = bigger;
        _head = 0;
    }

    private struct Chunk(byte[] buffer, int offset, int length)
    {
        public byte[] Buffer = buffer;
        public int Offset = offset;
        public int Length = length;
    }
}
