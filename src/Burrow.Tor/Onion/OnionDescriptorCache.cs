using Burrow.Tor.Protocol.Onion;

namespace Burrow.Tor.Onion;

/// <summary>
/// Decrypted descriptors by service and time period, each until its lifetime or the period ends (rend-spec-v3
/// 2.2.5), bounded in count. Thread-safe.
/// </summary>
internal sealed class OnionDescriptorCache
{
    private readonly object _lock = new();
    private readonly Dictionary<(string Label, ulong Period), (OnionInnerLayer Inner, DateTimeOffset Expires)> _entries = new();
    private readonly int _capacity;

    public OnionDescriptorCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int Count
    {
        get
        {
            lock (_lock)
                return _entries.Count;
        }
    }

    public bool TryGet(OnionAddress address, TimePeriod period, DateTimeOffset now, out OnionInnerLayer inner)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue((address.Label, period.Number), out var e) && e.Expires > now)
            {
                inner = e.Inner;
                return true;
            }
            _entries.Remove((address.Label, period.Number));
        }
        inner = null!;
        return false;
    }

    public void Add(OnionAddress address, TimePeriod period, OnionInnerLayer inner, DateTimeOffset expires)
    {
        lock (_lock)
        {
            if (_entries.Count >= _capacity)
            {
                var oldest = _entries.OrderBy(kv => kv.Value.Expires).First().Key;
                _entries.Remove(oldest);
            }
            _entries[(address.Label, period.Number)] = (inner, expires);
        }
    }

    /// <summary>Forgets a service's descriptor (its intro points all failed: fetch a fresh one next time).</summary>
    public void Remove(OnionAddress address)
    {
        lock (_lock)
            foreach (var k in _entries.Keys.Where(k => k.Label == address.Label).ToList())
                _entries.Remove(k);
    }
}
