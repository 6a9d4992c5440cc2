using System.Buffers;
using System.Net.Sockets;
using Burrow.Core.Flows;
using Burrow.Core.Upstreams;

namespace Burrow.Core.Transparent;

/// <summary>
/// Copies bytes both ways between a redirected client socket and its Tor stream until both sides
/// have finished. Each direction waits for data with a zero-byte read before renting a pooled
/// buffer (idle flows hold no buffer); it writes before reading again (backpressure); an EOF on
/// one side half-closes the other; the first real failure cancels the other direction and is the
/// reported outcome; an activity timer ends flows that stay idle.
/// </summary>
internal static class DuplexCopy
{
    public const int BufferSize = 32 * 1024;

    /// <summary>Copies until both sides are done; how it ended is the flow's end (mapped from socket errors here, once).</summary>
    public static async Task<FlowEnd> RunAsync(Socket client, UpstreamConnection upstream, Flow flow,
        TimeSpan idleTimeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var activity = new Activity(time);
        var state = new FirstFailure();

        using var clientStream = new NetworkStream(client, ownsSocket: false);
        var up = CopyAsync(clientStream, upstream.Stream, upstream.CompleteWritesAsync, n => flow.AddUp(n),
            sourceIsClient: true, activity, state, cts);
        var down = CopyAsync(upstream.Stream, clientStream, () => { ShutdownSend(client); return ValueTask.CompletedTask; }, n => flow.AddDown(n),
            sourceIsClient: false, activity, state, cts);
        var both = Task.WhenAll(up, down);

        using (var timer = time.CreateTimer(static s => ((Activity)s!).Tick(), activity, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan))
        {
            var period = idleTimeout / 4 < TimeSpan.FromMilliseconds(50) ? TimeSpan.FromMilliseconds(50) : idleTimeout / 4;
            activity.Arm(idleTimeout, cts);
            timer.Change(period, period);
            await both.ConfigureAwait(false);
        }

        if (state.Outcome is { } failure)
            return failure;
        if (state.PendingUpstreamWrite is { } writeFailure)
            // The upstream refused what the client still sent; if it also finished sending (EOF), the exit
            // closed the stream normally (END reason DONE): a close, not an upstream error.
            return state.UpstreamFinished ? FlowEnd.ClosedByExit(writeFailure.Error) : writeFailure;
        if (activity.TimedOut)
            return FlowEnd.IdleTimeout(idleTimeout);
        if (cancellationToken.IsCancellationRequested)
            return FlowEnd.NetworkStopped();
        return FlowEnd.Completed();
    }

    /// <summary>One direction: wait for data (zero-byte read), rent, read, write, return, count; on EOF
    /// half-close the target. The first failure is attributed to the side that failed.</summary>
    private static async Task CopyAsync(Stream source, Stream target, Func<ValueTask> completeTarget, Action<int> count,
        bool sourceIsClient, Activity activity, FirstFailure state, CancellationTokenSource cts)
    {
        var ct = cts.Token;
        byte[]? buffer = null;
        var reading = true;
        try
        {
            while (true)
            {
                await source.ReadAsync(Memory<byte>.Empty, ct).ConfigureAwait(false);
                buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                var n = await source.ReadAsync(buffer, ct).ConfigureAwait(false);
                if (n == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                    reading = false;
                    if (!sourceIsClient)
                        state.UpstreamFinished = true;
                    await target.FlushAsync(ct).ConfigureAwait(false);
                    await completeTarget().ConfigureAwait(false);
                    return;
                }
                activity.Touch();
                reading = false;
                await target.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                reading = true;
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
                count(n);
                activity.Touch();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var clientFailed = reading == sourceIsClient;
            if (sourceIsClient && !reading)
                // Writing to the upstream failed: the exit may have ended the stream normally while the client
                // was still sending. Let the other direction finish (its EOF or its error decides); don't cancel it.
                state.UpstreamWriteFailed(FlowEnd.UpstreamStreamError("upstream: " + Describe(e)));
            else
                state.Fail(clientFailed ? FlowEnd.ClientError("client: " + Describe(e)) : FlowEnd.UpstreamStreamError("upstream: " + Describe(e)), cts);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            if (buffer != null) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void ShutdownSend(Socket socket)
    {
        try { socket.Shutdown(SocketShutdown.Send); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
    }

    private static string Describe(Exception e)
    {
        for (var x = e; x != null; x = x.InnerException)
            if (x is SocketException se)
                return $"{se.SocketErrorCode}: {se.Message}";
        return e.Message;
    }

    /// <summary>Keeps the first failure; later ones are consequences of the cancellation it causes.</summary>
    private sealed class FirstFailure
    {
        private FlowEnd? _outcome;
        private FlowEnd? _pendingWrite;
        private volatile bool _upstreamFinished;
        public FlowEnd? Outcome { get { lock (this) return _outcome; } }

        /// <summary>A failed write to the upstream, judged once the upstream's own direction has ended.</summary>
        public FlowEnd? PendingUpstreamWrite { get { lock (this) return _pendingWrite; } }

        /// <summary>The upstream reached EOF (it finished sending normally).</summary>
        public bool UpstreamFinished { get => _upstreamFinished; set => _upstreamFinished = value; }

        public void UpstreamWriteFailed(FlowEnd outcome)
        {
            lock (this) _pendingWrite ??= outcome;
        }

        public void Fail(FlowEnd outcome, CancellationTokenSource cts)
        {
            lock (this) _outcome ??= outcome;
            try { cts.Cancel(); } catch (ObjectDisposedException) { }
        }
    }

    /// <summary>Last-activity clock checked by a timer; cancels the copy when idle too long.</summary>
    private sealed class Activity(TimeProvider time)
    {
        private long _last = time.GetTimestamp();
        private TimeSpan _idle;
        private CancellationTokenSource? _cts;
        private volatile bool _timedOut;

        public bool TimedOut => _timedOut;

        public void Touch() => Volatile.Write(ref _last, time.GetTimestamp());

        public void Arm(TimeSpan idle, CancellationTokenSource cts)
        {
            _idle = idle;
            _cts = cts;
            Touch();
        }

        public void Tick()
        {
            if (_cts == null || time.GetElapsedTime(Volatile.Read(ref _last)) < _idle)
                return;
            _timedOut = true;
            try { _cts.Cancel(); } catch (ObjectDisposedException) { }
        }
    }
}
