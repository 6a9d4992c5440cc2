using Burrow.Tor.Cells;

namespace Burrow.Tor.Channels;

/// <summary>How one channel pads (padding-spec 2.2, 2.5): the idle range its PADDING cells are timed from (none
/// when <see cref="LowMs"/> and <see cref="HighMs"/> are both 0), and the PADDING_NEGOTIATE to send after NETINFO.</summary>
internal sealed record ChannelPadding(int LowMs, int HighMs, PaddingNegotiateCell? Negotiate)
{
    public bool Pads => LowMs > 0 || HighMs > 0;

    /// <summary>The settings for <paramref name="mode"/> under the consensus's <paramref name="nf"/> parameters.</summary>
    public static ChannelPadding For(ConnectionPadding mode, Padding.NetflowPadding nf)
    {
        ArgumentNullException.ThrowIfNull(nf);
        var stop = new PaddingNegotiateCell(0, PaddingNegotiateCell.Stop, 0, 0);
        return mode switch
        {
            ConnectionPadding.Reduced => new ChannelPadding(nf.ItoLowReducedMs, nf.ItoHighReducedMs, stop),
            ConnectionPadding.Disabled => new ChannelPadding(0, 0, stop),
            // Normal: nothing to negotiate (the relay pads by the consensus), our timer from nf_ito_*.
            _ => nf.Disabled ? new ChannelPadding(0, 0, null) : new ChannelPadding(nf.ItoLowMs, nf.ItoHighMs, null),
        };
    }
}
