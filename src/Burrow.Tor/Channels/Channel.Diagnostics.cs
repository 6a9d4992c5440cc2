// What the channel's loops have done, for a state dump when something waits too long (issue 18).
using System.Diagnostics;
using System.Globalization;

namespace Burrow.Tor.Channels;

/// <summary>Counters the reader loop keeps (written by that loop only, read by anyone) and a one-line
/// dump of them: enough to tell "nothing arrived" from "arrived and was not delivered".</summary>
internal sealed partial class Channel
{
    private long _bytesRead;
    private long _cellsRead;
    private long _lastReadTimestamp;
    private int _readerAwaiting;

    /// <summary>Bytes and cells the reader loop has taken from the relay.</summary>
    internal (long Bytes, long Cells) Received => (Volatile.Read(ref _bytesRead), Volatile.Read(ref _cellsRead));

    /// <summary>One line: open or closed (and why), what the reader has received and how long ago,
    /// whether it is waiting for the socket, and the outbound queue.</summary>
    internal string DescribeState()
    {
        var last = Volatile.Read(ref _lastReadTimestamp);
        var ago = last == 0 ? "never" : Stopwatch.GetElapsedTime(last).TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) + " s ago";
        return string.Create(CultureInfo.InvariantCulture,
            $"channel to {Target}: {(IsClosed ? "closed (" + CloseReason?.Message + ")" : "open")}, read {Volatile.Read(ref _bytesRead)} bytes / {Volatile.Read(ref _cellsRead)} cells, last read {ago}, reader {(Volatile.Read(ref _readerAwaiting) != 0 ? "waiting for the socket" : "dispatching")}, read loop {_readLoop.Status}, write loop {_writeLoop.Status}, {CircuitCount} circuits, {_slots.Available} free queue slots");
    }
}
