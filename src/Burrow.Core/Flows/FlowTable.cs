using System.Collections.Concurrent;
using System.Net;

namespace Burrow.Core.Flows;

/// <summary>
/// The live flows of one network plus a bounded list of recently ended ones (oldest dropped first),
/// so a long-running network's memory does not grow with the number of connections it has seen.
/// </summary>
public sealed class FlowTable
{
    public const int DefaultRecentCapacity = 1000;

    private readonly ConcurrentDictionary<long, Flow> _live = new();
    private readonly Queue<Flow> _recent = new();
    private readonly object _recentGate = new();
    private readonly TimeProvider _time;
    private long _nextId;
    private long _totalEnded;

    public FlowTable(string network, int recentCapacity = DefaultRecentCapacity, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(recentCapacity);
        Network = network;
        RecentCapacity = recentCapacity;
        _time = time ?? TimeProvider.System;
    }

    public string Network { get; }
    public int RecentCapacity { get; }
    public int LiveCount => _live.Count;
    public long TotalStarted => Interlocked.Read(ref _nextId);
    public long TotalEnded => Interlocked.Read(ref _totalEnded);

    /// <summary>A flow's Tor stream opened (bytes start to move). Raised on the connection's task: keep handlers short.</summary>
    public event EventHandler<FlowInfo>? FlowOpened;

    /// <summary>A flow ended, whatever the reason. Raised on the connection's task: keep handlers short.</summary>
    public event EventHandler<FlowInfo>? FlowClosed;

    /// <summary>Marks the flow open and tells <see cref="FlowOpened"/>.</summary>
    internal void Opened(Flow flow)
    {
        flow.MarkOpen();
        Raise(FlowOpened, flow);
    }

    /// <summary>Asks the live flow <paramref name="id"/> to close (Stop-BurrowFlow); false when no live flow has that id.</summary>
    public bool Close(long id) => _live.TryGetValue(id, out var flow) && flow.RequestClose();

    private void Raise(EventHandler<FlowInfo>? handler, Flow flow)
    {
        if (handler == null) return;
        try { handler(this, flow.Snapshot(_time.GetUtcNow())); }
        catch (Exception) { /* an observer's failure must not end a flow */ }
    }

    public Flow Add(IPEndPoint source)
    {
        var flow = new Flow(Interlocked.Increment(ref _nextId), Network, source, _time.GetUtcNow());
        _live[flow.Id] = flow;
        return flow;
    }

    /// <summary>Ends a flow (first reason wins) and moves it to the recent list.</summary>
    public void End(Flow flow, FlowEnd end)
    {
        if (!flow.End(end, _time.GetUtcNow()))
            return;
        _live.TryRemove(flow.Id, out _);
        Interlocked.Increment(ref _totalEnded);
        if (RecentCapacity > 0)
        {
            lock (_recentGate)
            {
                _recent.Enqueue(flow);
                while (_recent.Count > RecentCapacity)
                    _recent.Dequeue();
            }
        }
        Raise(FlowClosed, flow);
    }

    /// <summary>The live flows, then the recent ended ones, ordered by id.</summary>
    public IReadOnlyList<FlowInfo> Snapshot()
    {
        var now = _time.GetUtcNow();
        var list = new List<FlowInfo>(_live.Count + 16);
        foreach (var f in _live.Values) list.Add(f.Snapshot(now));
        lock (_recentGate)
            foreach (var f in _recent) list.Add(f.Snapshot(now));
        list.Sort((a, b) => a.Id.CompareTo(b.Id));
        return list;
    }

    /// <summary>All live flows (used at stop to end them).</summary>
    public IReadOnlyCollection<Flow> Live => _live.Values.ToArray();
}
