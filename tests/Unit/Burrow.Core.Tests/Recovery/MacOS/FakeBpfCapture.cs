using System.Collections.Concurrent;
using Burrow.Core.Recovery.MacOS;

namespace Burrow.Core.Tests.Recovery.MacOS;

/// <summary>Stands in for a BPF device: hands out queued read buffers, otherwise "times out" briefly.</summary>
internal sealed class FakeBpfCapture(int bufferLength = 4096) : IBpfCapture
{
    private readonly BlockingCollection<Func<byte[]>> _reads = [];

    public int BufferLength { get; } = bufferLength;

    public bool Disposed { get; private set; }

    public int ReadCalls;

    public void Enqueue(byte[] buffer) => _reads.Add(() => buffer);

    public void EnqueueFailure(Exception e) => _reads.Add(() => throw e);

    public int Read(Span<byte> buffer)
    {
        Assert.Equal(BufferLength, buffer.Length);
        Interlocked.Increment(ref ReadCalls);

        // Like a BPF read timeout: return 0 now and then so the loop can see cancellation.
        if (!_reads.TryTake(out var next, 20))
        {
            return 0;
        }

        var data = next();
        data.CopyTo(buffer);
        return data.Length;
    }

    public void Dispose() => Disposed = true;
}
