namespace Burrow.Tor.Channels;

/// <summary>
/// The channel's outbound FIFO: any thread enqueues, the writer loop drains in batches. Its size is
/// bounded by the callers (queue slots for relay cells, <see cref="ChannelOptions.MaxQueuedControlCells"/>
/// for control cells); the hard cap here is the sum of both.
/// </summary>
internal sealed class OutboundQueue
{
    private readonly object _lock = new();
    private readonly AsyncSignal _signal = new();
    private readonly int _capacity;
    private OutboundCell[] _items = new OutboundCell[64];
    private int _head;
    private int _count;
    private bool _completed;
    private bool _addingCompleted;

    public OutboundQueue(int capacity) => _capacity = capacity;

    public int Count
    {
        get
        {
            lock (_lock)
                return _count;
        }
    }

    /// <summary>False when the queue was completed (the channel closed) or is at its hard cap.</summary>
    public bool TryEnqueue(in OutboundCell cell)
    {
        bool wake;
        lock (_lock)
        {
            if (_completed || _addingCompleted || _count >= _capacity)
                return false;
            if (_count == _items.Length)
                Grow();
            _items[(_head + _count) % _items.Length] = cell;
            wake = _count++ == 0;
        }
        if (wake)
            _signal.Set();
        return true;
    }

    /// <summary>Moves up to <c>into.Length</c> cells into <paramref name="into"/>; returns how many.</summary>
    public int Drain(Span<OutboundCell> into)
    {
        lock (_lock)
        {
            var n = Math.Min(into.Length, _count);
            for (var i = 0; i < n; i++)
            {
                into[i] = _items[_head];
                _items[_head] = default;
                _head = (_head + 1) % _items.Length;
            }
            _count -= n;
            return n;
        }
    }

    /// <summary>Waits until a cell may be there (spurious wake-ups are possible) or the queue is completed.</summary>
    public ValueTask WaitAsync(CancellationToken cancellationToken) => _signal.WaitAsync(cancellationToken);

    /// <summary>True once nothing more will come out: completed, or adding completed and drained.</summary>
    public bool IsCompleted
    {
        get
        {
            lock (_lock)
                return _completed || (_addingCompleted && _count == 0);
        }
    }

    /// <summary>Refuses further cells but lets the writer drain what is queued (a clean close).</summary>
    public void CompleteAdding()
    {
        lock (_lock)
            _addingCompleted = true;
        _signal.Set();
    }

    /// <summary>Refuses further cells, wakes the writer, and returns what was still queued.</summary>
    public OutboundCell[] Complete()
    {
        OutboundCell[] rest;
        lock (_lock)
        {
            _completed = true;
            rest = new OutboundCell[_count];
            Drain(rest);
        }
        _signal.Set();
        return rest;
    }

    private void Grow()
    {
        var bigger = new OutboundCell[Math.Min(_items.Length * 2, Math.Max(_capacity, _items.Length + 1))];
        for (var i = 0; i < _count; i++)
            bigger[i] = _items[(_head + i) % _items.Length];
        _items = bigger;
        _head = 0;
    }
}
