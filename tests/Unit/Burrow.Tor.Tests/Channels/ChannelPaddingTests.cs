using Burrow.Tor.Cells;
using Burrow.Tor.Channels;
using Burrow.Tor.Padding;

namespace Burrow.Tor.Tests.Channels;

/// <summary>Connection padding on a channel (issue 16 item 3, padding-spec 2.2 and 2.5), against the in-memory relay.</summary>
public class ChannelPaddingTests
{
    [Fact]
    public void The_modes_map_to_the_consensus_ranges_and_negotiation()
    {
        var nf = NetflowPadding.Default;
        Assert.Equal(new ChannelPadding(1500, 9500, null), ChannelPadding.For(ConnectionPadding.Normal, nf));
        var reduced = ChannelPadding.For(ConnectionPadding.Reduced, nf);
        Assert.Equal((9000, 14000), (reduced.LowMs, reduced.HighMs));
        Assert.Equal(PaddingNegotiateCell.Stop, reduced.Negotiate!.PaddingCommand);
        var disabled = ChannelPadding.For(ConnectionPadding.Disabled, nf);
        Assert.False(disabled.Pads);
        Assert.NotNull(disabled.Negotiate);
        Assert.False(ChannelPadding.For(ConnectionPadding.Normal, nf with { ItoLowMs = 0, ItoHighMs = 0 }).Pads);
    }

    [Fact]
    public async Task An_idle_channel_sends_padding_cells()
    {
        var options = ChannelOptions.Default with { Padding = () => new ChannelPadding(20, 60, null) };
        var (fake, channel) = await FakeRelay.StartAsync(relays: 1, options: options);
        await using var _ = fake;
        await using var __ = channel;
        for (var i = 0; i < 3; i++)
        {
            var cell = await fake.NextAsync(e => e.Command == ChannelCommand.Padding);
            Assert.Equal(0u, cell.CircId);
        }
        Assert.True(channel.PaddingCellsSent >= 3);
        Assert.False(channel.IsClosed);
    }

    [Fact]
    public async Task Reduced_padding_asks_the_relay_to_stop_right_after_netinfo()
    {
        var options = ChannelOptions.Default with { Padding = () => ChannelPadding.For(ConnectionPadding.Reduced, NetflowPadding.Default) };
        var (fake, channel) = await FakeRelay.StartAsync(relays: 1, options: options);
        await using var _ = fake;
        await using var __ = channel;
        var negotiate = await fake.NextAsync(e => e.Command == ChannelCommand.PaddingNegotiate);
        var cell = PaddingNegotiateCell.Decode(negotiate.Data);
        Assert.Equal(0, cell.Version);
        Assert.Equal(PaddingNegotiateCell.Stop, cell.PaddingCommand);
        Assert.Equal(9000, channel.Padding!.LowMs);
    }

    [Fact]
    public async Task Without_padding_settings_nothing_is_negotiated_or_padded()
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 1);
        await using var _ = fake;
        await using var __ = channel;
        Assert.Null(channel.Padding);
        Assert.Equal(0, channel.PaddingCellsSent);
    }

    [Fact]
    public async Task A_padding_negotiation_from_the_relay_closes_the_channel()
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 1);
        await using var _ = fake;
        await using var __ = channel;
        var body = new byte[ChannelFraming.PayloadLength];
        new PaddingNegotiateCell(0, PaddingNegotiateCell.Start, 0, 0).Encode(body);
        await fake.SendCellAsync(0, ChannelCommand.PaddingNegotiate, body);
        await channel.Completion.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(ChannelErrorKind.ProtocolViolation, channel.CloseReason!.Kind);
        Assert.Contains("PADDING_NEGOTIATE", channel.CloseReason.Message);
    }
}

/// <summary>The TLS server name a channel sends (issue 16 item 3).</summary>
public class TlsServerNameTests
{
    [Fact]
    public void Names_are_random_www_hostnames()
    {
        var names = Enumerable.Range(0, 200).Select(_ => TlsServerName.Random()).ToList();
        Assert.All(names, n => Assert.Matches("^www\\.[a-z2-7]{8,20}\\.(com|net)$", n));
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Contains(names, n => n.EndsWith(".com", StringComparison.Ordinal));
        Assert.Contains(names, n => n.EndsWith(".net", StringComparison.Ordinal));
    }
}
