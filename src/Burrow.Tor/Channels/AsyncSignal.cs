using System.Threading.Tasks.Sources;

namespace Burrow.Tor.Channels;

/// <summary>
/// An auto-reset signal with at most one waiter, reusable without allocating: the channel writer
/// waits on one for queued cells, a stream reader for data. A <see cref="Set"/> with nobody waiting
/// is remembered for the next wait. The waiter resumes on a thread-pool thread taken from the global
/// queue (the signal is its own work item), never inline in <see cref="Set"/> and never parked in the
/// setter's local queue: the channel's reader loop wakes the writer without waiting to yield.
/// </summary>
internal sealed class AsyncSignal : IValueTaskSource, IThreadPoolWorkItem
{
    private readonly object _lock = new();
    private ManualResetValueTaskSourceCore<bool> _core;
    private bool _set;
    private bool _waiting;
    private Exception? _error;
    private CancellationTokenRegistration _registration;

    /// <summary>"waiting", "set" or "idle", for state dumps.</summary>
    public string State
    {
        get
        {
            lock (_lock)
                return _waiting ? "waiting" : _set ? "set" : "idle";
        }
    }

    /// <summary>Wakes the waiter, or lets the next wait complete at once.</summary>
    public void Set()
    {
        lock (_lock)
        {
            if (!_waiting)
            {
                _set = true;
                return;
            }
            _waiting = false;
            _error = null;
        }
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute()
    {
        if (_error is { } error)
            _core.SetException(error);
        else
            _core.SetResult(true);
    }

    /// <summary>Completes when <see cref="Set"/> is called (or was, since the last wait).</summary>
    public ValueTask WaitAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_set)
            {
                _set = false;
                return ValueTask.CompletedTask;
            }
            if (_waiting)
                throw new InvalidOperationException("AsyncSignal supports one waiter at a time.");
            if (cancellationToken.IsCancellationRequested)
                return ValueTask.FromCanceled(cancellationToken);
            _core.Reset();
            _waiting = true;
            // Registered under the lock so Set cannot complete the wait before the registration is
            // stored (GetResult disposes it). A callback that runs inline re-enters the lock (Monitor is reentrant).
            if (cancellationToken.CanBeCanceled)
                _registration = cancellationToken.UnsafeRegister(static (s, ct) => ((AsyncSignal)s!).Cancel(ct), this);
            return new ValueTask(this, _core.Version);
        }
    }

    private void Cancel(CancellationToken token)
    {
        lock (_lock)
        {
            if (!_waiting)
                return;
            _waiting = false;
            _error = new OperationCanceledException(token);
        }
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IValueTaskSource.GetResult(short token)
    {
        CancellationTokenRegistration registration;
        lock (_lock)
        {
            registration = _registration;
            _registration = default;
        }
        registration.Dispose();
        _core.GetResult(token);
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
