namespace Burrow.Tests;

/// <summary>
/// A clock that moves only when a test says so (<see cref="Advance"/>, or by setting <see cref="UtcNow"/>).
/// Timers are kept on the monotonic timestamp, so setting the wall clock back fires nothing; moving time
/// forward fires every timer that falls due, in due order, on the caller's thread before it returns, so a
/// test can assert the effect right after. A timer created already due fires on the thread pool, as a
/// real one would, never inside CreateTimer.
/// </summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private static readonly DateTimeOffset DefaultStart = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly object _gate = new();
    private readonly HashSet<ManualTimer> _timers = [];
    private DateTimeOffset _now;
    private long _ticks;

    public ManualTimeProvider() : this(DefaultStart) { }

    public ManualTimeProvider(DateTime utcNow) : this(new DateTimeOffset(DateTime.SpecifyKind(utcNow, DateTimeKind.Utc))) { }

    public ManualTimeProvider(DateTimeOffset utcNow) => _now = utcNow.ToUniversalTime();

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
            return _now;
    }

    /// <summary>The wall clock. Setting it forward is an <see cref="Advance"/>; setting it back moves only the wall clock.</summary>
    public DateTime UtcNow
    {
        get => GetUtcNow().UtcDateTime;
        set
        {
            var target = new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc));
            TimeSpan forward;
            lock (_gate)
            {
                forward = target - _now;
                if (forward <= TimeSpan.Zero)
                {
                    _now = target;
                    return;
                }
            }
            Advance(forward);
        }
    }

    /// <summary>Timers that are armed (created or changed with a due time and not yet disposed or fired for good).</summary>
    public int ActiveTimers
    {
        get
        {
            lock (_gate)
                return _timers.Count(t => t.DueAt is not null);
        }
    }

    /// <summary>The same count as <see cref="ActiveTimers"/>, by the name the Tor tests use.</summary>
    public int PendingTimers => ActiveTimers;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_gate)
            _timers.Add(timer);
        timer.Change(dueTime, period);
        return timer;
    }

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        long target;
        DateTimeOffset wallTarget;
        lock (_gate)
        {
            target = _ticks + by.Ticks;
            wallTarget = _now + by;
        }
        while (true)
        {
            ManualTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.DueAt <= target).OrderBy(t => t.DueAt).FirstOrDefault();
                if (next is null)
                {
                    _now = wallTarget;
                    Interlocked.Exchange(ref _ticks, target);
                    return;
                }
                var at = Math.Max(_ticks, next.DueAt!.Value);
                _now = wallTarget - TimeSpan.FromTicks(target - at);
                Interlocked.Exchange(ref _ticks, at);
                next.DueAt = next.Period is { } period ? next.DueAt + period : null;
            }
            next.Fire();
        }
    }

    private void Remove(ManualTimer timer)
    {
        lock (_gate)
            _timers.Remove(timer);
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public long? DueAt { get; set; }

        public long? Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            bool dueNow;
            lock (owner._gate)
            {
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : owner._ticks + dueTime.Ticks;
                Period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : period.Ticks;
                dueNow = dueTime != Timeout.InfiniteTimeSpan && dueTime <= TimeSpan.Zero;
                if (dueNow)
                    DueAt = Period is { } p ? owner._ticks + p : null;
            }
            if (dueNow)
                ThreadPool.QueueUserWorkItem(_ => Fire());
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose() => owner.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
