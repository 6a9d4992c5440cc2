namespace Burrow.Tor.Channels;

/// <summary>
/// Credits that writers take one at a time and that are given back in steps: flow-control windows
/// (tor-spec 7.3, 7.4) and queue slots. Waiters wake in order when credits are granted, and fail
/// with the owner's error when the owner (stream, circuit, channel) closes.
/// </summary>
internal sealed class CreditWindow : IDisposable
{
    private readonly SemaphoreSlim _credits;
    private readonly CancellationToken _closed;
    private readonly Func<Exception> _closedError;
    private int _waiters;

    /// <param name="initial">Credits available at the start.</param>
    /// <param name="max">The most credits there may ever be; a grant beyond it is refused.</param>
    /// <param name="closed">Cancelled when the owner closes.</param>
    /// <param name="closedError">The exception waiters see after <paramref name="closed"/> fires.</param>
    public CreditWindow(int initial, int max, CancellationToken closed, Func<Exception> closedError)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initial);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        Max = max;
        _credits = new SemaphoreSlim(initial, max);
        _closed = closed;
        _closedError = closedError;
    }

    public int Max { get; }

    public int Available => _credits.CurrentCount;

    /// <summary>Takers waiting for a grant now (tests assert a writer is parked on a window, not that it
    /// merely has not finished yet).</summary>
    public int Waiters => Volatile.Read(ref _waiters);

    /// <summary>Takes one credit, waiting for a grant if there is none.</summary>
    public ValueTask TakeAsync(CancellationToken cancellationToken)
    {
        if (_closed.IsCancellationRequested)
            return ValueTask.FromException(_closedError());
        return _credits.Wait(0) ? ValueTask.CompletedTask : TakeSlowAsync(cancellationToken);
    }

    private async ValueTask TakeSlowAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed);
        Interlocked.Increment(ref _waiters);
        try
        {
            await _credits.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw _closedError();
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
        if (_closed.IsCancellationRequested)
        {
            Give(1);
            throw _closedError();
        }
    }

    /// <summary>Takes one credit if one is available now.</summary>
    public bool TryTake() => _credits.Wait(0);

    /// <summary>Adds <paramref name="count"/> credits; false (and nothing added) if that would exceed <see cref="Max"/>.
    /// Safe when one thread grants and others take: takers only lower the count.</summary>
    public bool TryGrant(int count)
    {
        if (_credits.CurrentCount + count > Max)
            return false;
        _credits.Release(count);
        return true;
    }

    /// <summary>Returns credits that were taken but not used.</summary>
    public void Give(int count)
    {
        try
        {
            _credits.Release(count);
        }
        catch (SemaphoreFullException)
        {
            // Cannot happen for credits that were taken; never let bookkeeping crash a writer.
        }
    }

    public void Dispose() => _credits.Dispose();
}
