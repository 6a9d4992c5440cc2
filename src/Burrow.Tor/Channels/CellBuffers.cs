using System.Collections.Concurrent;
using Burrow.Tor.Cells;

namespace Burrow.Tor.Channels;

/// <summary>
/// Bodies for queued cells (<see cref="OutboundCell.Body"/>), 509 bytes each. Circuits and streams rent
/// on their threads and the channel writer returns on its own; a shared FIFO hands them back without
/// the per-thread caches of <see cref="System.Buffers.ArrayPool{T}"/>, which kept reallocating when
/// renter and returner differ. Holds at most <see cref="MaxPooled"/> spare buffers.
/// </summary>
internal static class CellBuffers
{
    public const int MaxPooled = 1024;

    private static readonly ConcurrentQueue<byte[]> Free = new();
    private static int _count;

    public static byte[] Rent()
    {
        if (Free.TryDequeue(out var buffer))
        {
            Interlocked.Decrement(ref _count);
            return buffer;
        }
        return new byte[ChannelFraming.PayloadLength];
    }

    public static void Return(byte[] buffer)
    {
        if (buffer.Length != ChannelFraming.PayloadLength)
            return;
        if (Interlocked.Increment(ref _count) <= MaxPooled)
            Free.Enqueue(buffer);
        else
            Interlocked.Decrement(ref _count);
    }
}
