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

    /// <summary>The clock used to check certificate lifetimes.</summary>
    public Func<DateTimeOffset> Clock { get; init; } = static () => DateTimeOffset.UtcNow;
}
