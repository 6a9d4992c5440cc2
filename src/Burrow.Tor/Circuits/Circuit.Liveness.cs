// A stalled path: issue 18. A relay that dies or stops behind the first hop does not always make the
// first hop send DESTROY or TRUNCATED (observed on the private network: the guard sent nothing at all for
// 60 s after the middle relay was SIGKILLed under CPU load), and a SIGSTOPped relay never closes anything.
// tor-spec has no keepalive at circuit level, so the circuit asks the exit something it must answer.
using System.Globalization;

namespace Burrow.Tor.Circuits;

/// <summary>
/// Liveness of a circuit with open streams. When real traffic (DATA either way, SENDMEs) stops for
/// <see cref="StallProbeAfter"/>, the circuit sends one probe that the exit must answer (RELAY_RESOLVE of an
/// IP literal, tor-spec 6.4: RESOLVED or END, no DNS lookup and no stream at the exit); the probe also makes
/// every relay on the path write to the next one, so a dead connection is noticed there and DESTROY comes
/// back. If nothing at all arrives within <see cref="StallTimeout"/> of the probe, the circuit closes with
/// <see cref="CircuitErrorKind.Unresponsive"/> (DESTROY sent) and its streams fail. One probe per quiet
/// period: an idle stream over a live path costs one RESOLVE after its last traffic, not a probe every interval.
/// </summary>
internal sealed partial class Circuit
{
    /// <summary>What the probe resolves: an address literal, answered by the exit without a lookup.</summary>
    internal const string ProbeHostname = "127.0.0.1";

    private ITimer? _livenessTimer;
    private long _lastActivity;      // timestamp of the last DATA sent or received or SENDME received
    private long _activityCount;     // how many times there was activity
    private long _lastReceived;      // timestamp of the last cell of any kind received
    private long _probedActivity = -1; // the _activityCount a probe was sent for (one probe per quiet period)
    private bool _probeOutstanding;  // timer callback only
    private long _probeSentAt;       // timer callback only
    private long _cellsAtProbe;      // _cellsReceived when the probe went out
    private int _probesSent;
    private int _checking;           // timer callbacks do not overlap

    /// <summary>Quiet time after real traffic before a probe goes out (default 20 s).</summary>
    public TimeSpan StallProbeAfter { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long after a probe, with nothing received at all, the circuit is declared dead (default 20 s).</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The clock for liveness (tests use a manual one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>A probe went out and nothing has been seen since (for tests and diagnostics).</summary>
    internal bool ProbeOutstanding => Volatile.Read(ref _probeOutstanding);

    /// <summary>Liveness probes sent (for tests and diagnostics).</summary>
    internal int ProbesSent => Volatile.Read(ref _probesSent);

    private void NoteActivity()
    {
        Volatile.Write(ref _lastActivity, TimeProvider.GetTimestamp());
        Interlocked.Increment(ref _activityCount);
    }

    private void NoteReceived() => Volatile.Write(ref _lastReceived, TimeProvider.GetTimestamp());

    /// <summary>Starts the liveness timer with the first stream (caller holds the lock).</summary>
    private void StartLivenessLocked()
    {
        NoteActivity();
        if (_livenessTimer is not null || IsClosed)
            return;
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 100, Math.Min(StallProbeAfter.Ticks, StallTimeout.Ticks) / 4));
        _livenessTimer = TimeProvider.CreateTimer(static s => ((Circuit)s!).CheckLiveness(), this, period, period);
    }

    private void StopLiveness()
    {
        ITimer? timer;
        lock (_lock)
        {
            timer = _livenessTimer;
            _livenessTimer = null;
        }
        timer?.Dispose();
    }

    /// <summary>One tick: retire an answered probe, close a circuit whose probe went unanswered, or probe
    /// a circuit whose traffic stopped.</summary>
    internal void CheckLiveness()
    {
        if (Interlocked.Exchange(ref _checking, 1) != 0)
            return;
        try
        {
            CheckLivenessOnce();
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }

    private void CheckLivenessOnce()
    {
        if (IsClosed)
        {
            StopLiveness();
            return;
        }
        int streams;
        lock (_lock)
            streams = _streamMap.OpenCount;
        var lastReceived = Volatile.Read(ref _lastReceived);
        var lastActivity = Volatile.Read(ref _lastActivity);
        if (_probeOutstanding)
        {
            if (Volatile.Read(ref _cellsReceived) > _cellsAtProbe)
                _probeOutstanding = false;
            else if (TimeProvider.GetElapsedTime(_probeSentAt) >= StallTimeout)
                Close(new CircuitException(CircuitErrorKind.Unresponsive, string.Create(CultureInfo.InvariantCulture,
                    $"{Name}: nothing arrived for {TimeProvider.GetElapsedTime(Math.Max(lastReceived, lastActivity)).TotalSeconds:0} s, not even the answer to a liveness probe; a relay on the path stopped without closing its connections.")));
            return;
        }
        var activity = Interlocked.Read(ref _activityCount);
        if (streams == 0 || activity == _probedActivity
            || TimeProvider.GetElapsedTime(Math.Max(lastActivity, lastReceived)) < StallProbeAfter)
            return;
        _probedActivity = activity;
        _probeOutstanding = true;
        _probeSentAt = TimeProvider.GetTimestamp();
        _cellsAtProbe = Volatile.Read(ref _cellsReceived);
        Interlocked.Increment(ref _probesSent);
        if (_logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
            CircuitLog.LivenessProbe(_logger, CircId, StallProbeAfter.TotalSeconds, DescribeState());
        _ = ProbeAsync();
    }

    private async Task ProbeAsync()
    {
        try
        {
            // The answer (RESOLVED or END) only matters as "something arrived"; the resolve bookkeeping
            // of Circuit.Streams takes it off the stream map.
            await ExchangeResolveAsync(ProbeHostname, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Closed, timed out or refused: CheckLiveness decides from what arrived, not from this task.
        }
    }
}
