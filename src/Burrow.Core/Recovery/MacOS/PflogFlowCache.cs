using System.Net;

namespace Burrow.Core.Recovery.MacOS;

/// <summary>
/// Original destinations of recently logged SYNs, keyed by the connection's source. Entries are
/// single use (a source port is reused by later connections), expire after a TTL, and the oldest is
/// evicted at the size bound. A lookup may wait briefly for a record that arrives after accept().
/// Thread-safe; time comes from an injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class PflogFlowCache
{
    private readonly object _gate = new();
    private readonly Dictionary<PflogFlowKey, LinkedListNode<Entry>> _entries = [];

    // Insertion order is also expiry order (one TTL for all), so the head is both oldest and first to expire.
    private readonly LinkedList<Entry> _order = new();
    private readonly Dictionary<PflogFlowKey, List<TaskCompletionSource<IPEndPoint>>> _waiters = [];
    private readonly TimeProvider _time;
    private readonly TimeSpan _ttl;
    private readonly int _capacity;
    private int _waiterCount;
    private long _evicted;

    public PflogFlowCache(TimeSpan ttl, int capacity, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ttl = ttl;
        _capacity = capacity;
        _time = time ?? TimeProvider.System;
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Entries dropped because the cache was full (a sign of a flood or a too-small bound).</summary>
    public long Evicted
    {
        get
        {
            lock (_gate)
            {
                return _evicted;
            }
        }
    }

    /// <summary>Records the original destination of a flow; a newer record for the same source replaces the older.
    /// A lookup already waiting for this source takes the record at once.</summary>
    public void Add(PflogFlowKey key, IPEndPoint originalDestination)
    {
        ArgumentNullException.ThrowIfNull(originalDestination);
        TaskCompletionSource<IPEndPoint>? waiter = null;
        lock (_gate)
        {
            if (_waiters.TryGetValue(key, out var list))
            {
                waiter = list[0];
                list.RemoveAt(0);
                _waiterCount--;
                if (list.Count == 0)
                {
                    _waiters.Remove(key);
                }
            }
            else
            {
                var now = _time.GetTimestamp();
                RemoveExpired(now);
                if (_entries.Remove(key, out var old))
                {
                    _order.Remove(old);
                }

                while (_entries.Count >= _capacity)
                {
                    var oldest = _order.First!;
                    _order.RemoveFirst();
                    _entries.Remove(oldest.Value.Key);
                    _evicted++;
                }

                _entries[key] = _order.AddLast(new Entry(key, originalDestination, now));
            }
        }

        // Completed outside the lock: continuations may run inline.
        waiter?.TrySetResult(originalDestination);
    }

    /// <summary>Takes (removes) the entry for <paramref name="key"/> if present and not expired.</summary>
    public IPEndPoint? TryTake(PflogFlowKey key)
    {
        lock (_gate)
        {
            return TakeLocked(key, _time.GetTimestamp());
        }
    }

    /// <summary>Drops any entry for <paramref name="key"/> (the flow was resolved another way).</summary>
    public void Discard(PflogFlowKey key)
    {
        lock (_gate)
        {
            if (_entries.Remove(key, out var node))
            {
                _order.Remove(node);
            }
        }
    }

    /// <summary>
    /// Takes the entry for <paramref name="key"/>, waiting up to <paramref name="wait"/> for it to be
    /// added. Returns null when none arrives in time. Waiters are bounded like entries: past the
    /// bound a lookup does not wait.
    /// </summary>
    public async ValueTask<IPEndPoint?> TakeAsync(PflogFlowKey key, TimeSpan wait, CancellationToken cancellationToken)
    {
        TaskCompletionSource<IPEndPoint> waiter;
        lock (_gate)
        {
            var found = TakeLocked(key, _time.GetTimestamp());
            if (found is not null || wait <= TimeSpan.Zero || _waiterCount >= _capacity)
            {
                return found;
            }

            waiter = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_waiters.TryGetValue(key, out var list))
            {
                _waiters[key] = list = new List<TaskCompletionSource<IPEndPoint>>(1);
            }

            list.Add(waiter);
            _waiterCount++;
        }

        try
        {
            return await waiter.Task.WaitAsync(wait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            bool handedOver;
            lock (_gate)
            {
                handedOver = !(_waiters.TryGetValue(key, out var list) && list.Remove(waiter));
                if (!handedOver)
                {
                    _waiterCount--;
                    if (list!.Count == 0)
                    {
                        _waiters.Remove(key);
                    }
                }
            }

            // Add() took this waiter just as the wait ended and completes it right after leaving
            // the lock: a single-use record must not be lost, so wait for it and use it.
            if (handedOver && !cancellationToken.IsCancellationRequested)
            {
                return await waiter.Task.ConfigureAwait(false);
            }

            if (e is OperationCanceledException)
            {
                throw;
            }

            return null;
        }
    }

    private IPEndPoint? TakeLocked(PflogFlowKey key, long now)
    {
        if (!_entries.Remove(key, out var node))
        {
            return null;
        }

        _order.Remove(node);
        return _time.GetElapsedTime(node.Value.AddedAt, now) < _ttl ? node.Value.Destination : null;
    }

    private void RemoveExpired(long now)
    {
        while (_order.First is { } oldest && _time.GetElapsedTime(oldest.Value.AddedAt, now) >= _ttl)
        {
            _order.RemoveFirst();
            _entries.Remove(oldest.Value.Key);
        }
    }

    private readonly record struct Entry(PflogFlowKey Key, IPEndPoint Destination, long AddedAt);
}
