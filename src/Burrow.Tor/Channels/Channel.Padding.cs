// Connection-level padding, padding-spec 2.2: when the channel has written nothing for a timeout drawn
// from max(X, X) over the idle range, one PADDING cell goes out and a new timeout is drawn.
using Burrow.Tor.Cells;
using Burrow.Tor.Padding;
using Burrow.Tor.PathSelection;

namespace Burrow.Tor.Channels;

internal sealed partial class Channel
{
    private long _lastWriteTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
    private long _paddingCellsSent;

    /// <summary>How this channel pads (set once, after NETINFO); null when it does not.</summary>
    public ChannelPadding? Padding { get; private set; }

    /// <summary>PADDING cells this client sent on the channel.</summary>
    public long PaddingCellsSent => Interlocked.Read(ref _paddingCellsSent);

    private async Task PadLoopAsync(ChannelPadding padding)
    {
        try
        {
            while (!IsClosed)
            {
                var timeout = TimeSpan.FromMilliseconds(NetflowPadding.SampleTimeoutMs(padding.LowMs, padding.HighMs, CryptoRandom.Instance));
                // padding-spec 2.2: any cell sent before the timer expires resets it (the write loop's last write
                // stands for "sent": the innermost queue we can observe).
                while (true)
                {
                    var idle = System.Diagnostics.Stopwatch.GetElapsedTime(Volatile.Read(ref _lastWriteTimestamp));
                    if (idle >= timeout)
                        break;
                    await Task.Delay(timeout - idle, _closing.Token).ConfigureAwait(false);
                }
                var body = CellBuffers.Rent();
                body.AsSpan(0, ChannelFraming.PayloadLength).Clear();
                if (!TryEnqueue(new OutboundCell(0, ChannelCommand.Padding, body, null, 0, OutboundCellFlags.None)))
                    return;
                Interlocked.Increment(ref _paddingCellsSent);
                // Counted as sent now, so a slow write loop does not make the timer fire twice.
                Volatile.Write(ref _lastWriteTimestamp, System.Diagnostics.Stopwatch.GetTimestamp());
            }
        }
        catch (OperationCanceledException)
        {
            // The channel closed.
        }
    }
}
