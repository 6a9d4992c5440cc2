using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Tor.Channels;

/// <summary>
/// Shares channels between circuits: one open channel per relay, keyed by its RSA identity. Callers
/// asking for the same relay while a connection is being made wait for that connection. A failed or
/// closed channel is forgotten (the next request connects again) and never affects the others.
/// </summary>
internal sealed class ChannelManager : IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<Identities.RsaIdentity, Task<Channel>> _channels = [];
    private readonly ChannelOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Func<ChannelTarget, CancellationToken, Task<Channel>> _connect;

    public ChannelManager(ChannelOptions? options = null, ILogger? logger = null)
        : this(options, logger, null)
    {
    }

    /// <summary><paramref name="connect"/> replaces dialling relays (tests hand out in-memory channels).</summary>
    internal ChannelManager(ChannelOptions? options, ILogger? logger, Func<ChannelTarget, CancellationToken, Task<Channel>>? connect)
    {
        _options = options ?? ChannelOptions.Default;
        _logger = logger ?? NullLogger.Instance;
        _connect = connect ?? ((target, ct) => Channel.ConnectAsync(target, _options, _logger, ct));
        ClockSkew = new ClockSkewMonitor(_logger, _options.Clock);
    }

    /// <summary>The relays' clocks against ours, from every channel opened (NETINFO TIME).</summary>
    public ClockSkewMonitor ClockSkew { get; }

    /// <summary>Channels that are open now.</summary>
    public IReadOnlyList<Channel> OpenChannels
    {
        get
        {
            lock (_lock)
                return _channels.Values.Where(t => t.IsCompletedSuccessfully && !t.Result.IsClosed).Select(t => t.Result).ToList();
        }
    }

    /// <summary>An open channel to <paramref name="target"/>, reusing one when it exists. When the target
    /// names an Ed25519 identity, a shared channel must have proved that one too.</summary>
    public async Task<Channel> GetChannelAsync(ChannelTarget target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        Task<Channel> task;
        lock (_lock)
        {
            if (!_channels.TryGetValue(target.RsaIdentity, out task!) || IsUnusable(task))
            {
                task = ConnectAsync(target);
                _channels[target.RsaIdentity] = task;
            }
        }
        var channel = await task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (target.Ed25519Identity is { } ed && channel.PeerIdentity.Ed25519Identity != ed)
            throw new ChannelException(ChannelErrorKind.IdentityMismatch,
                $"Relay ${target.Fingerprint} proved Ed25519 identity {channel.PeerIdentity.Ed25519Identity}, but {ed} was expected.");
        return channel;
    }

    private static bool IsUnusable(Task<Channel> task) =>
        task.IsFaulted || task.IsCanceled || (task.IsCompletedSuccessfully && task.Result.IsClosed);

    private async Task<Channel> ConnectAsync(ChannelTarget target)
    {
        // The connection belongs to everyone waiting for it: only disposal (or its own timeout) stops it.
        // A failed attempt stays in the table as a faulted task and is replaced by the next request.
        var channel = await _connect(target, _disposed.Token).ConfigureAwait(false);
        if (channel.PeerClockOffset is { } offset)
            ClockSkew.Record(target, offset);
        _ = channel.Completion.ContinueWith(_ => Forget(target, channel), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        if (_disposed.IsCancellationRequested)
            channel.Close();
        return channel;
    }

    private void Forget(ChannelTarget target, Channel closed)
    {
        lock (_lock)
        {
            if (_channels.TryGetValue(target.RsaIdentity, out var task) && task.IsCompletedSuccessfully && task.Result == closed)
                _channels.Remove(target.RsaIdentity);
        }
    }

    /// <summary>Closes every channel (their circuits fail with "closed").</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
            return;
        _disposed.Cancel();
        List<Task<Channel>> tasks;
        lock (_lock)
        {
            tasks = _channels.Values.ToList();
            _channels.Clear();
        }
        foreach (var t in tasks)
        {
            try
            {
                var channel = await t.ConfigureAwait(false);
                await channel.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // A connection that failed has nothing to close.
            }
        }
    }
}
