// Learning when to give up on circuit construction (path-spec 2.4): the last 1000 three-hop build times,
// a Pareto fit of their tail (Xm from the 10 ms histogram's most frequent bins, alpha by maximum likelihood),
// the usage and close timeouts from its quantile function, and the reset when most recent circuits time out.
// No clock, no I/O: the pool feeds outcomes, the store persists the histogram.
namespace Burrow.Tor.BuildTimeout;

/// <summary>Build times and the timeouts they give. Thread-safe.</summary>
internal sealed class CircuitBuildTimes
{
    /// <summary>path-spec 2.4.2: the most recent 1000 build times.</summary>
    public const int Capacity = 1000;

    /// <summary>path-spec 2.4.2: histogram bin width.</summary>
    public const int BinMs = 10;

    private readonly object _lock = new();
    private readonly int[] _times = new int[Capacity];
    private int _next;
    private int _count;
    private readonly Queue<bool> _recent = new(); // true: timed out
    private int? _resetTimeoutMs;

    public int Count
    {
        get
        {
            lock (_lock)
                return _count;
        }
    }

    /// <summary>Times at most <see cref="Capacity"/>, oldest first, as a copy.</summary>
    public int[] Times
    {
        get
        {
            lock (_lock)
                return SnapshotLocked();
        }
    }

    /// <summary>A three-hop circuit completed in <paramref name="ms"/> milliseconds.</summary>
    public void AddBuildTime(int ms, CbtParameters p)
    {
        lock (_lock)
        {
            AddLocked(Math.Max(1, ms));
            NoteOutcomeLocked(timedOut: false, p);
        }
    }

    /// <summary>A circuit that completed a hop did not complete within the usage timeout (path-spec 2.4.5).
    /// Returns true when this discarded the history (the network changed).</summary>
    public bool AddTimeout(CbtParameters p)
    {
        lock (_lock)
            return NoteOutcomeLocked(timedOut: true, p);
    }

    /// <summary>Discards every build time and outcome (cbtdisabled, or a test).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _count = 0;
            _next = 0;
            _recent.Clear();
            _resetTimeoutMs = null;
        }
    }

    /// <summary>Loads persisted times (e.g. expanded from a histogram, already shuffled), keeping the last <see cref="Capacity"/>.</summary>
    public void Load(IEnumerable<int> times)
    {
        lock (_lock)
        {
            foreach (var t in times)
            {
                if (t > 0)
                    AddLocked(t);
            }
        }
    }

    /// <summary>The 10 ms histogram: (bin start in ms, count), ascending.</summary>
    public IReadOnlyList<(int BinMs, int Count)> Histogram()
    {
        lock (_lock)
            return HistogramOf(SnapshotLocked());
    }

    /// <summary>The timeouts now: from the Pareto fit once <see cref="CbtParameters.MinCircuits"/> times are
    /// recorded, else the initial timeout for both (path-spec 2.4.3); null when learning is disabled.</summary>
    public CbtEstimate? Estimate(CbtParameters p)
    {
        if (p.Disabled)
            return null;
        int[] times;
        int? reset;
        lock (_lock)
        {
            times = SnapshotLocked();
            reset = _resetTimeoutMs;
        }
        if (times.Length < p.MinCircuits || times.Length == 0)
        {
            var initial = reset ?? p.InitialTimeoutMs;
            return new CbtEstimate(initial, Math.Max(initial, p.InitialTimeoutMs), times.Length, null, null, Learned: false);
        }
        var xm = Xm(times, p.NumModes);
        double sumLn = 0;
        foreach (var t in times)
            sumLn += Math.Log(Math.Max(xm, t));
        var n = times.Length;
        var denominator = sumLn - n * Math.Log(xm);
        // Every time at or below Xm: the curve is a wall at Xm.
        var alpha = denominator <= 0 ? double.PositiveInfinity : n / denominator;
        var max = times.Max();
        var timeout = Quantile(xm, alpha, p.Quantile / 100.0);
        var close = Quantile(xm, alpha, p.CloseQuantile / 100.0);
        var timeoutMs = (int)Math.Clamp(Math.Min(timeout, max), p.MinTimeoutMs, int.MaxValue);
        var closeMs = (int)Math.Clamp(Math.Max(Math.Min(close, 2.0 * max), p.InitialTimeoutMs), timeoutMs, int.MaxValue);
        return new CbtEstimate(timeoutMs, closeMs, n, xm, alpha, Learned: true);
    }

    /// <summary>path-spec 2.4.3: the Pareto quantile function F(q) = Xm / (1 - q)^(1 / alpha).</summary>
    public static double Quantile(double xm, double alpha, double q) => xm / Math.Pow(1.0 - q, 1.0 / alpha);

    /// <summary>path-spec 2.4.3: the count-weighted average of the midpoints of the <paramref name="modes"/> most
    /// frequent 10 ms bins, ties going to the shorter bin.</summary>
    public static double Xm(IReadOnlyCollection<int> times, int modes)
    {
        var bins = HistogramOf(times).OrderByDescending(b => b.Count).ThenBy(b => b.BinMs).Take(modes).ToList();
        double weighted = 0, total = 0;
        foreach (var (bin, count) in bins)
        {
            weighted += (bin + BinMs / 2.0) * count;
            total += count;
        }
        return total == 0 ? BinMs / 2.0 : weighted / total;
    }

    private static List<(int BinMs, int Count)> HistogramOf(IEnumerable<int> times) =>
        times.GroupBy(t => t / BinMs * BinMs).Select(g => (g.Key, g.Count())).OrderBy(b => b.Key).ToList();

    private void AddLocked(int ms)
    {
        _times[_next] = ms;
        _next = (_next + 1) % Capacity;
        if (_count < Capacity)
            _count++;
    }

    private bool NoteOutcomeLocked(bool timedOut, CbtParameters p)
    {
        _recent.Enqueue(timedOut);
        while (_recent.Count > p.RecentCount)
            _recent.Dequeue();
        if (!timedOut)
        {
            _resetTimeoutMs = null;
            return false;
        }
        if (_recent.Count(t => t) < p.MaxTimeouts)
            return false;
        // path-spec 2.4.5: most recent circuits timed out: the network changed. Discard the history and go back
        // to the initial timeout, or double the timeout if it was already at least that. (A learned timeout is
        // below the initial one in practice; only a reset or unlearned timeout can be at or above it.)
        var current = _resetTimeoutMs ?? (_count >= p.MinCircuits ? 0 : p.InitialTimeoutMs);
        _count = 0;
        _next = 0;
        _recent.Clear();
        _resetTimeoutMs = current >= p.InitialTimeoutMs ? (int)Math.Min(2L * current, int.MaxValue) : p.InitialTimeoutMs;
        return true;
    }

    private int[] SnapshotLocked()
    {
        var result = new int[_count];
        var start = (_next - _count + Capacity) % Capacity;
        for (var i = 0; i < _count; i++)
            result[i] = _times[(start + i) % Capacity];
        return result;
    }
}
