using Burrow.Tor.Identities;

namespace Burrow.Tor.CircMgr;

/// <summary>
/// Relays that a circuit could not be extended to, avoided for a while when choosing middles and exits
/// (issue 18: after an exit died, new flows kept picking it and failed after four builds). A relay that is
/// down stays in the consensus until the authorities notice, so the client has to remember on its own.
/// Bounded (oldest entries go first) and timed: a relay that was only briefly unreachable is used again
/// once <see cref="Duration"/> has passed. Path selection still falls back to avoided relays when nothing
/// else fits, so a stale suspicion never makes a path impossible.
/// </summary>
internal sealed class FailedRelays(TimeProvider time, TimeSpan duration, int capacity = 256)
{
    private readonly object _lock = new();
    private readonly Dictionary<RsaIdentity, DateTimeOffset> _until = [];
    // The first hop of the circuit that made each report: the relay that said it could not extend.
    private readonly Dictionary<RsaIdentity, RsaIdentity> _via = [];

    public TimeSpan Duration { get; } = duration;

    public int Count
    {
        get
        {
            lock (_lock)
                return _until.Count;
        }
    }

    /// <summary>Remembers that extending to <paramref name="relay"/> failed now, on a circuit whose first hop
    /// was <paramref name="via"/>.</summary>
    public void Report(RsaIdentity relay, RsaIdentity? via = null)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            Expire(now);
            if (_until.Count >= capacity && !_until.ContainsKey(relay))
            {
                var oldest = _until.MinBy(e => e.Value).Key;
                _until.Remove(oldest);
                _via.Remove(oldest);
            }
            _until[relay] = now + Duration;
            if (via is { } v)
                _via[relay] = v;
            else
                _via.Remove(relay);
        }
    }

    /// <summary>
    /// Forgets every suspicion that came through <paramref name="guard"/>: a guard found to discard circuits
    /// (path bias) made the relays it refused to extend to look unreachable, and believing it would steer
    /// middle and exit choices toward the relays it did not refuse. Returns how many were forgotten.
    /// </summary>
    public int ForgetReportsVia(RsaIdentity guard)
    {
        lock (_lock)
        {
            var forgotten = _via.Where(e => e.Value == guard).Select(e => e.Key).ToList();
            foreach (var relay in forgotten)
            {
                _via.Remove(relay);
                _until.Remove(relay);
            }
            return forgotten.Count;
        }
    }

    /// <summary>True while <paramref name="relay"/> is to be avoided.</summary>
    public bool IsAvoided(RsaIdentity relay)
    {
        lock (_lock)
            return _until.TryGetValue(relay, out var until) && until > time.GetUtcNow();
    }

    private void Expire(DateTimeOffset now)
    {
        foreach (var (id, until) in _until)
        {
            if (until <= now)
            {
                _until.Remove(id);
                _via.Remove(id);
            }
        }
    }
}
