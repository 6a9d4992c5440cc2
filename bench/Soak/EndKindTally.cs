using Burrow.Core.Flows;

namespace Burrow.Soak;

/// <summary>
/// Burrow's own view: how its flows ended, by kind. Its table keeps only the last 1,000 ended flows, so this
/// reads a snapshot every 500 ms and counts each ended flow once (ids already counted are forgotten once they
/// fall below the oldest id the table still shows, which keeps the set bounded).
/// </summary>
internal sealed class EndKindTally : IAsyncDisposable
{
    private readonly FlowTable _flows;
    private readonly Dictionary<FlowEndKind, long> _counts = [];
    private readonly Dictionary<string, long> _errors = [];
    private HashSet<long> _seen = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public EndKindTally(FlowTable flows)
    {
        _flows = flows;
        _loop = LoopAsync(_stop.Token);
    }

    public IReadOnlyDictionary<FlowEndKind, long> Counts { get { lock (_counts) return new Dictionary<FlowEndKind, long>(_counts); } }

    /// <summary>Flows that did not end Completed, by "kind: reason".</summary>
    public IReadOnlyDictionary<string, long> NotCompleted { get { lock (_counts) return new Dictionary<string, long>(_errors); } }

    public long Counted { get { lock (_counts) return _counts.Values.Sum(); } }

    private void Read()
    {
        var snap = _flows.Snapshot();
        if (snap.Count == 0) return;
        var oldest = snap[0].Id;
        lock (_counts)
        {
            foreach (var f in snap)
            {
                if (f.End is null || f.EndKind is not { } kind || !_seen.Add(f.Id)) continue;
                _counts[kind] = _counts.GetValueOrDefault(kind) + 1;
                if (kind != FlowEndKind.Completed)
                {
                    // The detail names the error class (stream closed, circuit destroyed, ...); cut so the set stays small.
                    var detail = f.Error is { Length: > 0 } e ? ": " + (e.Length > 90 ? e[..90] + "..." : e) : "";
                    var key = $"{kind}: {f.EndReason}{detail}";
                    if (!_errors.ContainsKey(key) && _errors.Count >= 50) key = $"{kind}: {f.EndReason} (other details)";
                    _errors[key] = _errors.GetValueOrDefault(key) + 1;
                }
            }
            if (_seen.Count > 4 * FlowTable.DefaultRecentCapacity)
                _seen = [.. _seen.Where(id => id >= oldest)];
        }
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
                Read();
        }
        catch (OperationCanceledException) { }
    }

    public async Task StopAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync();
        await _loop;
        Read();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
