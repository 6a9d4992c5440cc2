namespace Burrow.Tor.Tests.Client;

/// <summary>A clock the test moves by hand; timers (Task.Delay with this provider) fire when it passes their due time.</summary>
internal sealed class ManualTimeProvider(DateTime utcNow) : TimeProvider
{
    private readonly object _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = new(DateTime.SpecifyKind(utcNow, DateTimeKind.Utc));

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
            return _now;
    }

    public DateTime UtcNow
    {
        get => GetUtcNow().UtcDateTime;
        set
        {
            lock (_lock)
                _now = new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc));
            FireDue();
        }
    }

    public int PendingTimers
    {
        get
        {
            lock (_lock)
                return _timers.Count(t => t.Due != null);
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (_lock)
            _now += by;
        FireDue();
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_lock)
            _timers.Add(timer);
        timer.Change(dueTime, period);
        return timer;
    }

    private void FireDue()
    {
        List<ManualTimer> due;
        lock (_lock)
        {
            due = _timers.Where(t => t.Due is { } d && d <= _now).ToList();
            foreach (var t in due)
                t.Due = t.Period is { } p && p > TimeSpan.Zero ? _now + p : null;
        }
        foreach (var t in due)
            ThreadPool.QueueUserWorkItem(_ => t.Callback(t.State));
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public TimerCallback Callback { get; } = callback;
        public object? State { get; } = state;
        public DateTimeOffset? Due { get; set; }
        public TimeSpan? Period { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner._now + dueTime;
                Period = period == Timeout.InfiniteTimeSpan ? null : period;
            }
            owner.FireDue();
            return true;
        }

        public void Dispose()
        {
            lock (owner._lock)
            {
                Due = null;
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
