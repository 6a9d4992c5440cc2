using System.Collections.Concurrent;

namespace Burrow.Soak;

/// <summary>Counters the workers share: flows done and failed, body bytes moved both ways, failures by reason.</summary>
internal sealed class SoakStats
{
    private long _done, _failed, _bytes, _mismatches;

    public long Done => Interlocked.Read(ref _done);
    public long Failed => Interlocked.Read(ref _failed);
    public long Bytes => Interlocked.Read(ref _bytes);
    public long Mismatches => Interlocked.Read(ref _mismatches);

    /// <summary>Reason -> count; the reasons are a small closed set of "kind: exception type: class" strings.</summary>
    public ConcurrentDictionary<string, long> FailuresByReason { get; } = new();

    public ConcurrentDictionary<string, long> DoneByKind { get; } = new();

    public void Succeeded(string kind, long bytes)
    {
        Interlocked.Increment(ref _done);
        Interlocked.Add(ref _bytes, bytes);
        DoneByKind.AddOrUpdate(kind, 1, (_, n) => n + 1);
    }

    public void Failure(string reason, bool mismatch)
    {
        Interlocked.Increment(ref _failed);
        if (mismatch) Interlocked.Increment(ref _mismatches);
        FailuresByReason.AddOrUpdate(reason, 1, (_, n) => n + 1);
    }
}
