// Stream IDs and stream opening on a circuit: tor-spec 6.2 BEGIN/BEGIN_DIR, 6.3 END, 6.4 RESOLVE.
using Burrow.Tor.Cells;
using Burrow.Tor.Channels;

namespace Burrow.Tor.Circuits;

/// <summary>Streams attached to the circuit (through <see cref="StreamMap"/> and <see cref="ICircuitStream"/>).</summary>
internal sealed partial class Circuit
{
    /// <summary>Registers a new stream ending at the last hop under a fresh stream ID; the stream layer
    /// makes the stream object (<paramref name="create"/> gets this circuit, the ID and the hop).</summary>
    internal T AttachStream<T>(Func<ICircuitStreamHost, ushort, int, T> create) where T : ICircuitStream
    {
        ThrowIfNotBuilt();
        lock (_lock)
        {
            ThrowIfClosed();
            var id = _streamMap.AllocateId() ?? throw new CircuitException(CircuitErrorKind.ResourceLimit, $"{Name}: all stream IDs are in use.");
            var stream = create(this, id, LastHop);
            _streamMap.AddOpen(stream);
            StartLivenessLocked();
            return stream;
        }
    }

    /// <summary>Sends <paramref name="begin"/> (BEGIN or BEGIN_DIR) for an attached stream and waits for
    /// CONNECTED, at most <see cref="StreamOpenTimeout"/>: a timeout throws <see cref="TimeoutException"/>;
    /// circuit and channel failures throw theirs; END fails the stream's <see cref="ICircuitStream.Connected"/>.</summary>
    /// <param name="afterBegin">started once BEGIN is queued and awaited after CONNECTED (optimistic data:
    /// DATA cells sent before the exit answers); on failure its own errors are dropped, the opening's is thrown</param>
    internal async Task BeginStreamAsync(ICircuitStream stream, RelayMessage begin, string description,
        Func<CancellationToken, Task>? afterBegin, CancellationToken cancellationToken)
    {
        CircuitLog.StreamOpening(_logger, CircId, stream.StreamId, description);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StreamOpenTimeout);
        Task? early = null;
        try
        {
            await SendRelayAsync(begin, stream.StreamId, stream.Hop, OutboundCellFlags.None, timeout.Token).ConfigureAwait(false);
            early = afterBegin?.Invoke(timeout.Token);
            await stream.Connected.WaitAsync(timeout.Token).ConfigureAwait(false);
            if (early is not null)
                await early.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            Observe(early);
            throw new TimeoutException($"Stream {stream.StreamId} to {description}: the exit did not answer within {StreamOpenTimeout.TotalSeconds:0.#} s.", e);
        }
        catch
        {
            Observe(early);
            throw;
        }

        static void Observe(Task? task) => task?.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Sends RELAY_RESOLVE (tor-spec 6.4) and returns the exit's answer: a <see cref="ResolvedMessage"/>
    /// or the <see cref="EndMessage"/> it sent instead. No answer within <see cref="StreamOpenTimeout"/> throws
    /// <see cref="TimeoutException"/>; circuit and channel failures throw theirs.</summary>
    internal async Task<RelayMessage> ExchangeResolveAsync(string hostname, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(hostname);
        ThrowIfNotBuilt();
        var answer = new TaskCompletionSource<RelayMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        ushort id;
        lock (_lock)
        {
            ThrowIfClosed();
            id = _streamMap.AllocateId() ?? throw new CircuitException(CircuitErrorKind.ResourceLimit, $"{Name}: all stream IDs are in use.");
            _streamMap.AddResolve(id, answer);
        }
        CircuitLog.StreamOpening(_logger, CircId, id, "resolve " + hostname);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StreamOpenTimeout);
        try
        {
            await SendRelayAsync(new ResolveMessage(hostname.ToLowerInvariant()), id, LastHop, OutboundCellFlags.None, timeout.Token).ConfigureAwait(false);
            return await answer.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Resolving {hostname}: the exit did not answer within {StreamOpenTimeout.TotalSeconds:0.#} s.", e);
        }
        finally
        {
            lock (_lock)
            {
                if (_streamMap.RemoveResolve(id) && !answer.Task.IsCompleted)
                    _streamMap.AddHalfClosed(id, 0);
            }
        }
    }

    void ICircuitStreamHost.OnStreamDisposed(ICircuitStream stream, int dataAllowance)
    {
        lock (_lock)
        {
            if (!_streamMap.RemoveOpen(stream))
                return;
            if (IsClosed)
                return;
            _streamMap.AddHalfClosed(stream.StreamId, dataAllowance);
        }
        // Originators send REASON_MISC (tor-spec 6.3).
        SendControl(new EndMessage(EndReason.Misc), stream.StreamId, stream.Hop);
    }
}
