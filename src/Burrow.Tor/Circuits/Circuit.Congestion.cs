// Congestion control on a circuit whose exit negotiated it (proposal 324): the Vegas window replaces the
// fixed circuit package window (section 3), SENDMEs every cc_sendme_inc DATA cells time the circuit's RTT
// (section 2.1), and streams use XON/XOFF instead of stream windows (section 4).
using System.Diagnostics;
using Burrow.Tor.Cells;
using Burrow.Tor.Channels;
using Burrow.Tor.CongestionControl;

namespace Burrow.Tor.Circuits;

/// <summary>The congestion-controlled side of a circuit: only the reader loop touches the controller.</summary>
internal sealed partial class Circuit
{
    /// <summary>Credits the congestion window may ever stand for; cc_cwnd_max may be INT32_MAX, but
    /// a window is only as large as what the channel and the exit can move.</summary>
    internal const int MaxCongestionWindow = int.MaxValue / 4;

    private CircuitCongestion? _cc;          // set once, by the reader loop, before the circuit is built
    private int _sendmeIncrement = SendmeIncrement;
    private int _deliveredSinceSendme;       // reader loop only

    /// <summary>Whether the exit accepted congestion control (proposal 324); false: fixed windows (tor-spec 7).</summary>
    public bool CongestionControlled => Volatile.Read(ref _cc) is not null;

    /// <summary>DATA cells per circuit SENDME: the negotiated cc_sendme_inc, or 100 with fixed windows.</summary>
    public int CircuitSendmeIncrement => Volatile.Read(ref _sendmeIncrement);

    /// <summary>The handshake each CREATE2 / EXTEND2 hop used (ntor or ntor v3), first hop first.</summary>
    public IReadOnlyList<HandshakeType> HopHandshakes
    {
        get
        {
            lock (_lock)
                return _hopHandshakes.ToArray();
        }
    }

    /// <summary>The congestion window, slow-start state and smoothed RTT (for tests and diagnostics); null
    /// on fixed-window circuits. Read without the reader loop's cooperation: a snapshot, possibly a SENDME old.</summary>
    internal (int Cwnd, bool InSlowStart, long EwmaRttUsec, int Acks)? CongestionState =>
        _cc is { } cc ? (cc.Controller.Cwnd, cc.Controller.InSlowStart, cc.Controller.EwmaRttUsec, cc.Controller.Acks) : null;

    /// <summary>Stream bytes buffered before XOFF; 0 on fixed-window circuits.</summary>
    public int XoffLimit => _cc?.Parameters.XoffClientBytes ?? 0;

    /// <summary>The exit answered the congestion-control request with <paramref name="sendmeIncrement"/>:
    /// from now on the Vegas window gates DATA. Reader loop, while the last hop is added (no DATA yet).</summary>
    private void EnableCongestionControl(int sendmeIncrement)
    {
        var parameters = _parameters.CongestionControl!;
        var cc = new CircuitCongestion(parameters, sendmeIncrement);
        var window = Math.Min(cc.Controller.Cwnd, MaxCongestionWindow);
        cc.Represented = window;
        _packageWindow = new CreditWindow(window, MaxCongestionWindow, _closedCts.Token, ClosedError);
        Volatile.Write(ref _sendmeIncrement, sendmeIncrement);
        Volatile.Write(ref _cc, cc);
        CircuitLog.CongestionControlNegotiated(_logger, CircId, _channel.Target.ToString(), HopCount, sendmeIncrement, window);
    }

    /// <summary>A circuit SENDME on a congestion-controlled circuit (its digest already checked): one RTT
    /// sample into Vegas, then the credits brought to cwnd - inflight. Credits stand for cells that may be
    /// sent; <see cref="CircuitCongestion.Represented"/> counts those available plus those taken and not yet
    /// acknowledged, so shrinking the window takes back what is free and leaves the rest as debt that
    /// later acknowledgements pay off.</summary>
    private void OnCongestionSendme(CircuitCongestion cc, long sentAt)
    {
        var rttUsec = (long)Stopwatch.GetElapsedTime(sentAt).TotalMicroseconds;
        var inflight = cc.Represented - _packageWindow.Available;
        // No "orconn blocked" signal: the channel queue's back-pressure already holds writers.
        var cwnd = Math.Min(cc.Controller.OnSendme(rttUsec, inflight), MaxCongestionWindow);
        cc.Represented -= cc.Controller.SendmeIncrement;
        var delta = cwnd - cc.Represented;
        if (delta > 0)
        {
            if (!_packageWindow.TryGrant(delta))
                throw CircuitException.Violation("a circuit SENDME beyond the congestion window");
            cc.Represented += delta;
        }
        else
        {
            while (delta < 0 && _packageWindow.TryTake())
            {
                cc.Represented--;
                delta++;
            }
        }
    }

    /// <summary>RELAY_XON / RELAY_XOFF for one of our streams (proposal 324 section 4.1).</summary>
    private void OnStreamFlowControl(int hop, RelayCommand command, ushort streamId, ReadOnlySpan<byte> data)
    {
        if (streamId == 0)
            throw CircuitException.Violation($"{command} with stream ID 0");
        RelayMessage message = command == RelayCommand.Xon ? XonMessage.Decode(data) : XoffMessage.Decode(data);
        ICircuitStream? stream;
        lock (_lock)
        {
            if (!_streamMap.TryGetOpen(streamId, out stream))
            {
                if (_streamMap.IsHalfClosed(streamId))
                    return;
                throw CircuitException.Violation($"{command} for stream {streamId}, which is not open");
            }
        }
        if (hop != stream.Hop)
            throw CircuitException.Violation($"{command} for stream {streamId} from hop {hop + 1}, not from its exit");
        if (message is XonMessage xon)
            stream.OnXon(xon);
        else
            stream.OnXoff();
    }

    /// <summary>The digest a SENDME must echo and when its DATA cell left (for the RTT).</summary>
    private readonly record struct ExpectedSendme(byte[] Digest, long SentAt);
}
