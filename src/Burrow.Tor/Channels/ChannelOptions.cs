namespace Burrow.Tor.Channels;

/// <summary>Limits and timeouts of a channel.</summary>
internal sealed record ChannelOptions
{
    public static ChannelOptions Default { get; } = new();

    /// <summary>TCP connect, TLS, VERSIONS, CERTS and NETINFO together must finish within this.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Relay cells that may wait in the outbound queue before writers are made to wait
    /// (backpressure). Control cells (SENDME, END, DESTROY) do not wait.</summary>
    public int OutboundQueueCells { get; init; } = 256;

    /// <summary>Control cells that may wait in the outbound queue; more means the relay is not reading
    /// and the channel is closed.</summary>
    public int MaxQueuedControlCells { get; init; } = 8192;

    /// <summary>SO_MARK for every socket to a relay (Linux, CAP_NET_ADMIN), so firewall rules can tell the
    /// client's own traffic apart; null leaves sockets unmarked.</summary>
    public uint? SocketMark { get; init; }

    /// <summary>Connection padding for new channels (padding-spec 2), asked when each channel opens; null: none.</summary>
    public Func<ChannelPadding?>? Padding { get; init; }

    /// <summary>The clock used to check certificate lifetimes.</summary>
    public Func<DateTimeOffset> Clock { get; init; } = static () => DateTimeOffset.UtcNow;
}
