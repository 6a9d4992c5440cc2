// What the circuit has received, for a state dump when something waits too long (issue 18).
using System.Globalization;
using Burrow.Tor.Cells;

namespace Burrow.Tor.Circuits;

/// <summary>Counters kept by the channel's reader loop for this circuit, and a one-line dump.</summary>
internal sealed partial class Circuit
{
    private long _cellsReceived;        // reader loop only
    private ChannelCommand _lastCommand; // reader loop only
    private long _unknownRelayCells;

    /// <summary>Relay cells with a command this client does not understand (dropped, tor-spec 6.1).</summary>
    internal long UnknownRelayCellsReceived => Interlocked.Read(ref _unknownRelayCells);

    /// <summary>Cells of any kind received for this circuit.</summary>
    internal long CellsReceived => Volatile.Read(ref _cellsReceived);

    /// <summary>One line: open or closed (and why), cells received and the last one's command, windows, streams.</summary>
    public string DescribeState()
    {
        int streams;
        lock (_lock)
            streams = _streamMap.OpenCount;
        return string.Create(CultureInfo.InvariantCulture,
            $"circuit {CircId:X8}: {(IsClosed ? "closed (" + CloseReason?.Kind + ": " + CloseReason?.Message + ")" : "open")}, {HopCount} hops, received {Volatile.Read(ref _cellsReceived)} cells (last {_lastCommand}, {Interlocked.Read(ref _unknownRelayCells)} with unknown relay commands), deliver window {Volatile.Read(ref _deliverWindow)}, package window {_packageWindow.Available}, {streams} open streams, {ProbesSent} liveness probes{(_probeOutstanding ? " (one unanswered)" : "")}; {_channel.DescribeState()}");
    }

    private void CountInbound(ChannelCommand command)
    {
        Volatile.Write(ref _cellsReceived, _cellsReceived + 1);
        _lastCommand = command;
        NoteReceived();
    }
}
