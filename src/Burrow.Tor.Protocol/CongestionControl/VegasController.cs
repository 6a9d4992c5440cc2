// Tor Vegas with RFC 3742 limited slow start (proposal 324 section 3.3), fed by the RTT estimator of
// section 2.1 (N_EWMA smoothing 2.1.2, clock heuristics 2.1.1) and the congestion-window BDP estimator
// of section 3.1.2. No I/O and no clock: the circuit hands in RTT samples in microseconds.
namespace Burrow.Tor.CongestionControl;

/// <summary>
/// The congestion window of one circuit, updated on every circuit SENDME the other endpoint sends.
/// The caller keeps "inflight" (DATA cells sent and not yet acknowledged) and stops sending while
/// inflight is at least <see cref="Cwnd"/>. Not thread-safe: one SENDME at a time.
/// </summary>
internal sealed class VegasController
{
    /// <summary>Section 2.1.1: a sample this many times larger (or smaller) than the EWMA is a clock jump (or stall).</summary>
    private const long ClockJumpRatio = 5000;

    private readonly CongestionControlParameters _p;
    private int _nextCcEvent;
    private int _nextCwndEvent;
    private bool _cwndFull;
    private bool _clockStalled;

    public VegasController(CongestionControlParameters parameters, int sendmeIncrement)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfLessThan(sendmeIncrement, 1);
        _p = parameters;
        SendmeIncrement = sendmeIncrement;
        Cwnd = Math.Clamp(parameters.CwndInit, parameters.CwndMin, parameters.CwndMax);
    }

    /// <summary>The negotiated SENDME increment: DATA cells each SENDME acknowledges.</summary>
    public int SendmeIncrement { get; }

    /// <summary>The congestion window in cells.</summary>
    public int Cwnd { get; private set; }

    public bool InSlowStart { get; private set; } = true;

    /// <summary>The smoothed RTT in microseconds (0 before the first sample).</summary>
    public long EwmaRttUsec { get; private set; }

    /// <summary>The smallest smoothed RTT seen (0 before the first sample).</summary>
    public long MinRttUsec { get; private set; }

    /// <summary>The largest raw RTT sample used.</summary>
    public long MaxRttUsec { get; private set; }

    /// <summary>The last bandwidth-delay product estimate in cells (cwnd * RTT_min / RTT_ewma).</summary>
    public long Bdp { get; private set; }

    /// <summary>SENDMEs processed, and those whose RTT sample was discarded by the clock heuristics.</summary>
    public int Acks { get; private set; }

    public int DiscardedSamples { get; private set; }

    /// <summary>
    /// One circuit SENDME: <paramref name="rttUsec"/> is the time from sending the DATA cell it acknowledges
    /// to its arrival; <paramref name="inflight"/> the cells unacknowledged before this SENDME (the caller
    /// takes <see cref="SendmeIncrement"/> off afterwards); <paramref name="orconnBlocked"/> whether the
    /// channel's queue was full (an immediate congestion signal). Returns the new window.
    /// </summary>
    public int OnSendme(long rttUsec, int inflight, bool orconnBlocked = false)
    {
        Acks++;
        if (_nextCcEvent > 0)
            _nextCcEvent--;
        if (_nextCwndEvent > 0)
            _nextCwndEvent--;

        if (!UpdateRtt(rttUsec))
        {
            DiscardedSamples++;
            return Cwnd;
        }

        // Section 3.1.2: BDP = cwnd * RTT_min / RTT_ewma (multiplication first: microseconds).
        Bdp = EwmaRttUsec == 0 ? Cwnd : (long)Cwnd * MinRttUsec / EwmaRttUsec;
        var queueUse = Bdp > Cwnd ? 0 : Cwnd - Bdp;

        if (IsFull(inflight))
            _cwndFull = true;
        else if (IsNonFull(inflight))
            _cwndFull = false;

        long cwnd = Cwnd;
        if (InSlowStart)
        {
            if (queueUse < _p.VegasGamma && !orconnBlocked)
            {
                // Only grow a window that is actually used.
                if (_cwndFull)
                {
                    var inc = SlowStartIncrement(cwnd);
                    cwnd += inc;
                    // Once the RFC 3742 step over a window's worth of acks is no more than the
                    // steady-state step, slow start has done its job.
                    if ((long)inc * SendmesPerCwnd(cwnd) <= (long)_p.CwndInc * _p.CwndIncRate)
                        InSlowStart = false;
                }
            }
            else
            {
                InSlowStart = false;
                cwnd = Bdp + _p.VegasGamma;
            }
            if (cwnd >= _p.SlowStartMax)
            {
                cwnd = _p.SlowStartMax;
                InSlowStart = false;
            }
        }
        else if (_nextCcEvent == 0)
        {
            if (queueUse > _p.VegasDelta)
                cwnd = Bdp + _p.VegasDelta - _p.CwndInc;
            else if (queueUse > _p.VegasBeta || orconnBlocked)
                cwnd -= _p.CwndInc;
            else if (_cwndFull && queueUse < _p.VegasAlpha)
                cwnd += _p.CwndInc;
        }
        Cwnd = (int)Math.Clamp(cwnd, _p.CwndMin, _p.CwndMax);

        if (_nextCcEvent == 0)
            _nextCcEvent = UpdateRate(Cwnd);
        if (_nextCwndEvent == 0)
            _nextCwndEvent = SendmesPerCwnd(Cwnd);
        if (_p.CwndFullPerCwnd ? _nextCwndEvent == SendmesPerCwnd(Cwnd) : _nextCcEvent == UpdateRate(Cwnd))
            _cwndFull = false;
        return Cwnd;
    }

    /// <summary>Section 2.1.1 and 2.1.2: false when the sample is a clock stall or jump and must not be used.</summary>
    private bool UpdateRtt(long rtt)
    {
        if (rtt <= 0)
        {
            _clockStalled = true;
            return false;
        }
        if (EwmaRttUsec != 0 && !InSlowStart)
        {
            if (rtt / ClockJumpRatio > EwmaRttUsec)
                return false;
            if (rtt * ClockJumpRatio < EwmaRttUsec && _clockStalled)
                return false;
        }
        _clockStalled = false;
        if (rtt > MaxRttUsec)
            MaxRttUsec = rtt;
        if (EwmaRttUsec == 0)
            EwmaRttUsec = rtt;
        else
        {
            long n = InSlowStart
                ? _p.EwmaSlowStart
                : Math.Max(Math.Min((long)UpdateRate(Cwnd) * _p.EwmaCwndPct / 100, _p.EwmaMax), 2);
            // The rearranged form, as the spec requires, so rounding matches other implementations.
            EwmaRttUsec = (rtt * 2 + EwmaRttUsec * (n - 1)) / (n + 1);
        }
        if (MinRttUsec == 0 || EwmaRttUsec < MinRttUsec)
            MinRttUsec = EwmaRttUsec;
        return true;
    }

    private bool IsFull(int inflight) => (long)inflight + (long)_p.CwndFullGap * SendmeIncrement >= Cwnd;

    private bool IsNonFull(int inflight) => 100L * inflight < (long)_p.CwndFullMinPct * Cwnd;

    /// <summary>RFC 3742: full steps below the cap, then steps shrinking with the window, at least 1.</summary>
    private long SlowStartIncrement(long cwnd)
    {
        if (cwnd <= _p.VegasSlowStartCap)
            return (long)Math.Round(_p.CwndIncPctSlowStart * SendmeIncrement / 100.0, MidpointRounding.AwayFromZero);
        return Math.Max((long)Math.Round((double)SendmeIncrement * _p.VegasSlowStartCap / (2.0 * cwnd), MidpointRounding.AwayFromZero), 1);
    }

    private int SendmesPerCwnd(long cwnd) => (int)((cwnd + SendmeIncrement / 2) / SendmeIncrement);

    private int UpdateRate(long cwnd)
    {
        if (InSlowStart)
            return 1;
        long step = (long)_p.CwndIncRate * SendmeIncrement;
        return (int)Math.Max(1, (cwnd + step / 2) / step);
    }
}
