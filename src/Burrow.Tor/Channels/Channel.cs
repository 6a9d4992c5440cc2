// A channel to one relay, as an initiator that does not authenticate itself: tor-spec 2
// "Connections" (TLS, the relay's self-signed certificate), 3 "Cell Packet format", 4 "Negotiating
// and initializing connections" (VERSIONS, CERTS, AUTH_CHALLENGE, NETINFO), 5.1.1 circuit IDs.
using Burrow.Tor.Cells;
using Burrow.Tor.Crypto;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Tor.Channels;

/// <summary>
/// An open channel: a reader loop that cuts cells out of the TLS stream and hands them to circuits by
/// circuit ID (in place, no allocation per cell), and a writer loop that drains a bounded queue,
/// encrypts relay cells through their circuit in wire order, and writes them in batches (one TLS
/// write per batch). A failure of one circuit never touches the channel; a failure of the channel
/// fails all its circuits with the channel's reason.
/// </summary>
internal sealed partial class Channel : IAsyncDisposable
{
    /// <summary>Link protocols this client speaks: 4-byte circuit IDs, 514-byte cells (tor-spec 4.1).</summary>
    public static IReadOnlyList<ushort> SupportedLinkVersions { get; } = [4, 5];

    /// <summary>CELL_LEN for link protocols 4 and 5.</summary>
    public const int CellLength = 514;

    private const int ReceiveBufferLength = 128 * 1024; // holds the largest variable-length cell
    private const int WriteBatchCells = 64;              // 32 KiB per TLS write at most

    private readonly Stream _stream;
    private readonly ChannelOptions _options;
    private readonly ILogger _logger;
    private readonly CircuitMap _circuits = new();
    private readonly OutboundQueue _queue;
    private readonly CreditWindow _slots;
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[] _receive = new byte[ReceiveBufferLength];
    private int _receiveStart;
    private int _receiveEnd;
    private int _queuedControl;
    private int _closed;
    private ChannelException? _closeReason;
    private ChannelFraming _framing = ChannelFraming.Initial;
    private Task _readLoop = Task.CompletedTask;
    private Task _writeLoop = Task.CompletedTask;
    private Task _padLoop = Task.CompletedTask;

    private Channel(Stream stream, ChannelTarget target, ChannelOptions options, ILogger logger)
    {
        _stream = stream;
        Target = target;
        _options = options;
        _logger = logger;
        _queue = new OutboundQueue(options.OutboundQueueCells + options.MaxQueuedControlCells);
        _slots = new CreditWindow(options.OutboundQueueCells, options.OutboundQueueCells, _closing.Token, ClosedError);
    }

    /// <summary>The relay this channel was opened to.</summary>
    public ChannelTarget Target { get; }

    /// <summary>What the relay's CERTS cell proved (it matched <see cref="Target"/>).</summary>
    public RelayLinkIdentity PeerIdentity { get; private set; } = null!;

    public int LinkVersion => _framing.LinkVersion;

    /// <summary>The relay's clock minus ours when its NETINFO arrived (tor-spec 4.5); null when it sent TIME 0.
    /// Read for the client's clock-skew estimate.</summary>
    public TimeSpan? PeerClockOffset { get; private set; }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Why the channel closed, once it has.</summary>
    public ChannelException? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>Completes when the channel has closed.</summary>
    public Task Completion => _completion.Task;

    public int CircuitCount => _circuits.Count;

    /// <summary>Writers waiting for room in the outbound queue (for tests).</summary>
    internal int QueueSlotWaiters => _slots.Waiters;

    /// <summary>
    /// Connects to the relay's ORPort, does TLS (accepting its self-signed certificate: trust comes from
    /// CERTS), negotiates a link protocol, checks CERTS against <paramref name="target"/>'s identities
    /// and sends NETINFO. Throws <see cref="ChannelException"/> (ConnectFailed, HandshakeFailed,
    /// IdentityMismatch) on failure.
    /// </summary>
    public static async Task<Channel> ConnectAsync(ChannelTarget target, ChannelOptions? options = null, ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        options ??= ChannelOptions.Default;
        logger ??= NullLogger.Instance;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.HandshakeTimeout);
        try
        {
            // Each layer disposes what it made when it fails: the connector its socket, OpenAsync the TLS stream.
            var (tls, der) = await ChannelConnector.ConnectAsync(target, options, timeout.Token).ConfigureAwait(false);
            return await OpenAsync(tls, der, target, options, logger, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            var error = new ChannelException(ChannelErrorKind.HandshakeFailed,
                $"Handshake with relay {target} did not finish within {options.HandshakeTimeout.TotalSeconds:0.#} s.", e);
            ChannelLog.HandshakeFailed(logger, target, error.Message);
            throw error;
        }
        catch (ChannelException e)
        {
            ChannelLog.HandshakeFailed(logger, target, e.Message);
            throw;
        }
    }

    /// <summary>
    /// Runs the link handshake over an established transport (the TLS stream, or an in-memory one in
    /// tests) whose peer certificate was <paramref name="tlsCertificateDer"/>, then starts the loops.
    /// The transport is disposed if the handshake fails.
    /// </summary>
    internal static async Task<Channel> OpenAsync(Stream transport, ReadOnlyMemory<byte> tlsCertificateDer, ChannelTarget target,
        ChannelOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var channel = new Channel(transport, target, options, logger);
        try
        {
            await channel.HandshakeAsync(tlsCertificateDer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException and not ChannelException)
        {
            transport.Dispose();
            throw new ChannelException(ChannelErrorKind.HandshakeFailed, $"Link handshake with relay {target} failed: {e.Message}", e);
        }
        catch
        {
            transport.Dispose();
            throw;
        }
        channel._readLoop = Task.Run(channel.ReadLoopAsync);
        channel._writeLoop = Task.Run(channel.WriteLoopAsync);
        if (channel.Padding is { Pads: true } padding)
            channel._padLoop = Task.Run(() => channel.PadLoopAsync(padding));
        ChannelLog.Opened(logger, target, channel.LinkVersion);
        return channel;
    }

    // ---------------------------------------------------------------- circuits

    /// <summary>Registers a circuit under a fresh random circuit ID with the high bit set (we initiated the
    /// connection, link protocol 4+: tor-spec 5.1.1) and returns the ID.</summary>
    public uint RegisterCircuit(ICircuitCellHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ThrowIfClosed();
        if (!_circuits.TryAdd(handler, out var id))
            throw new ChannelException(ChannelErrorKind.ResourceLimit,
                $"Channel to {Target}: 64 random circuit IDs were all in use ({_circuits.Count} circuits open).");
        if (IsClosed)
        {
            _circuits.Remove(id);
            ThrowIfClosed();
        }
        return id;
    }

    /// <summary>Forgets a circuit: cells that still arrive for its ID are dropped (tor-spec 5.5.1).</summary>
    public void UnregisterCircuit(uint circId, ICircuitCellHandler handler) =>
        _circuits.Remove(circId, handler);

    // ---------------------------------------------------------------- closing

    /// <summary>Closes the channel at once: queued cells are dropped and every circuit fails with
    /// <paramref name="reason"/> (default: closed locally).</summary>
    public void Close(ChannelException? reason = null)
    {
        reason ??= new ChannelException(ChannelErrorKind.Closed, $"Channel to {Target} was closed locally.");
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) != null)
            return;
        Volatile.Write(ref _closed, 1);
        ChannelLog.Closed(_logger, Target, reason.Kind, reason.Message);
        foreach (var cell in _queue.Complete())
            CellBuffers.Return(cell.Body);
        try
        {
            _closing.Cancel();
        }
        catch (AggregateException)
        {
            // A waiter's cancellation callback threw; the channel is closing anyway.
        }
        try
        {
            _stream.Dispose();
        }
        catch (Exception)
        {
            // Disposing a broken TLS stream can throw; the connection is gone either way.
        }
        foreach (var (id, handler) in _circuits.TakeAll())
        {
            try
            {
                handler.OnChannelClosed(reason);
            }
            catch (Exception e)
            {
                ChannelLog.HandlerFailed(_logger, e, Target, id, ChannelCommand.Destroy);
            }
        }
        _completion.TrySetResult();
    }

    /// <summary>A clean close: lets the writer flush what is queued (e.g. DESTROY cells) for a moment, then closes.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!IsClosed)
        {
            _queue.CompleteAdding();
            await Task.WhenAny(_writeLoop, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
            Close();
        }
        await Task.WhenAny(Task.WhenAll(_readLoop, _writeLoop), Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
    }

    private void ThrowIfClosed()
    {
        if (IsClosed)
            throw ClosedError();
    }

    private ChannelException ClosedError() =>
        CloseReason ?? new ChannelException(ChannelErrorKind.Closed, $"Channel to {Target} is closed.");
}
