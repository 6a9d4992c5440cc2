// When to fetch the next consensus (dir-spec 5.1) and how long to wait after a failed attempt.
using Burrow.Tor.NetDir;

namespace Burrow.Tor.Dir;

/// <summary>
/// The directory's refresh schedule, with no contact with the network: the refresh time chosen when a
/// consensus is installed, and the retry delays after failures. Pure given its random source, so a test
/// with a fake clock can check every decision.
/// </summary>
internal sealed class DirectorySchedule
{
    private readonly TimeSpan _maxRetryDelay;
    private readonly Random _random;
    private readonly object _lock = new();
    private DateTime? _refreshAt;

    public DirectorySchedule(TimeSpan maxRetryDelay, Random random)
    {
        _maxRetryDelay = maxRetryDelay;
        _random = random;
    }

    /// <summary>When the next consensus fetch is due; null before one is installed.</summary>
    public DateTime? NextRefresh
    {
        get
        {
            lock (_lock)
                return _refreshAt;
        }
    }

    /// <summary>
    /// dir-spec 5.1: a consensus is fetched at a random time between 3/4 of an interval after it
    /// stops being fresh and 7/8 of the remaining time before it expires.
    /// </summary>
    public static (DateTime From, DateTime To) RefreshWindow(NetworkDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var interval = directory.FreshUntil - directory.ValidAfter;
        var from = directory.FreshUntil + interval * 3 / 4;
        var to = from + (directory.ValidUntil - from) * 7 / 8;
        if (to < from || from > directory.ValidUntil)
        {
            // Odd lifetimes (fresh-until at or past valid-until): fetch before the end.
            from = directory.FreshUntil < directory.ValidUntil ? directory.FreshUntil : directory.ValidAfter;
            to = directory.ValidUntil;
        }
        return (from, to);
    }

    /// <summary>A consensus was installed: pick the next refresh in its window.</summary>
    public void OnInstalled(NetworkDirectory directory)
    {
        var (from, to) = RefreshWindow(directory);
        var span = (to - from).TotalSeconds;
        double r;
        lock (_random) // shared with the fetcher's shuffles
            r = _random.NextDouble();
        lock (_lock)
            _refreshAt = from + TimeSpan.FromSeconds(span * r);
    }

    /// <summary>How long to wait before the next attempt: until the refresh time, or after
    /// <paramref name="failures"/> failed attempts 2, 4, 8 ... seconds, at most the configured maximum and at
    /// most half a voting interval of <paramref name="current"/> (test networks vote every few seconds).</summary>
    public TimeSpan DelayBeforeNextAttempt(int failures, NetworkDirectory? current, DateTime now)
    {
        if (failures <= 0)
            return (NextRefresh ?? now) - now;
        var cap = _maxRetryDelay.TotalSeconds;
        if (current is { } c)
            cap = Math.Min(cap, Math.Max(1, (c.FreshUntil - c.ValidAfter).TotalSeconds / 2));
        return TimeSpan.FromSeconds(Math.Min(cap, Math.Pow(2, failures)));
    }
}
