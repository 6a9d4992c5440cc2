// A channel to one relay, as an initiator that does not authenticate itself: tor-spec 2
// "Connections" (TLS, the relay's self-signed certificate), 3 "Cell Packet format", 4 "Negotiating
// and initializing connections" (VERSIONS, CERTS, AUTH_CHALLENGE, NETINFO), 5.1.1 circuit IDs.
using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
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
internal sealed class Channel : IAsyncDisposable
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
        ChannelLog.Opened(logger, target, channel.LinkVersion);
        return channel;
    }

    // ---------------------------------------------------------------- handshake (tor-spec 4)

    private async Task HandshakeAsync(ReadOnlyMemory<byte> tlsCertificateDer, CancellationToken ct)
    {
        // The first VERSIONS cell always has 2-byte circuit IDs (tor-spec 3).
        await WriteCellAsync(new VersionsCell(SupportedLinkVersions), ct).ConfigureAwait(false);

        var (command, body) = await ReadHandshakeCellAsync(ct).ConfigureAwait(false);
        if (command != ChannelCommand.Versions)
            throw Handshake($"the relay's first cell is {command}; VERSIONS was expected");
        var theirs = Decode(VersionsCell.Decode, body).Versions;
        var version = VersionsCell.HighestCommon(SupportedLinkVersions, theirs)
            ?? throw Handshake($"no common link protocol: the relay offers [{string.Join(",", theirs)}], this client needs 4 or 5");
        _framing = ChannelFraming.ForLinkVersion(version);

        var sawCerts = false;
        while (true)
        {
            (command, body) = await ReadHandshakeCellAsync(ct).ConfigureAwait(false);
            switch (command)
            {
                case ChannelCommand.Certs:
                    if (sawCerts)
                        throw Handshake("the relay sent a second CERTS cell");
                    sawCerts = true;
                    PeerIdentity = CheckCerts(Decode(CertsCell.Decode, body), tlsCertificateDer.Span);
                    break;
                case ChannelCommand.AuthChallenge:
                    // Only needed to authenticate ourselves, which a client does not do (tor-spec 4.3).
                    if (!sawCerts)
                        throw Handshake("AUTH_CHALLENGE came before CERTS");
                    Decode(AuthChallengeCell.Decode, body);
                    break;
                case ChannelCommand.Netinfo:
                    if (!sawCerts)
                        throw Handshake("NETINFO came before CERTS; the relay never proved its identity");
                    Decode(NetinfoCell.Decode, body);
                    // Clients send TIME 0 and no addresses of their own (tor-spec 4.5).
                    await WriteCellAsync(new NetinfoCell(0, NetinfoAddress.From(Target.OrPort.Address), []), ct).ConfigureAwait(false);
                    return;
                case ChannelCommand.VPadding:
                    break;
                default:
                    throw Handshake($"unexpected {command} cell during the handshake (only CERTS, AUTH_CHALLENGE, NETINFO and VPADDING may follow VERSIONS)");
            }
        }
    }

    private RelayLinkIdentity CheckCerts(CertsCell certs, ReadOnlySpan<byte> tlsCertificateDer)
    {
        var entries = new List<Crypto.CertsCellEntry>(certs.Certificates.Count);
        foreach (var c in certs.Certificates)
            entries.Add(new Crypto.CertsCellEntry((byte)c.Type, c.Certificate));
        RelayLinkIdentity identity;
        try
        {
            identity = CertsCellValidator.ValidateResponder(entries, SHA256.HashData(tlsCertificateDer), _options.Clock());
        }
        catch (TorCryptoException e)
        {
            throw new ChannelException(ChannelErrorKind.HandshakeFailed, $"Relay {Target} sent invalid certificates: {e.Message}", e);
        }
        if (!identity.RsaIdentity.AsSpan().SequenceEqual(Target.RsaIdentity))
            throw new ChannelException(ChannelErrorKind.IdentityMismatch,
                $"Relay at {Target.OrPort} proved RSA identity ${Convert.ToHexString(identity.RsaIdentity)}, but ${Target.Fingerprint} was expected; refusing the channel.");
        if (Target.Ed25519Identity is { } ed && !identity.Ed25519Identity.AsSpan().SequenceEqual(ed))
            throw new ChannelException(ChannelErrorKind.IdentityMismatch,
                $"Relay {Target} proved Ed25519 identity {Convert.ToBase64String(identity.Ed25519Identity).TrimEnd('=')}, but {Convert.ToBase64String(ed).TrimEnd('=')} was expected; refusing the channel.");
        return identity;
    }

    private ChannelException Handshake(string what) =>
        new(ChannelErrorKind.HandshakeFailed, $"Link handshake with relay {Target} failed: {what}.");

    private T Decode<T>(Func<ReadOnlySpan<byte>, T> decode, byte[] body)
    {
        try
        {
            return decode(body);
        }
        catch (CellFormatException e)
        {
            throw new ChannelException(ChannelErrorKind.HandshakeFailed, $"Link handshake with relay {Target} failed: {e.Message}", e);
        }
    }

    private async Task WriteCellAsync(ChannelMessage message, CancellationToken ct)
    {
        var buffer = new byte[ChannelCellWriter.GetCellLength(_framing, message)];
        ChannelCellWriter.Write(buffer, _framing, 0, message);
        await _stream.WriteAsync(buffer, ct).ConfigureAwait(false);
        await _stream.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Reads one cell with the current framing; the body is copied (handshake only).</summary>
    private async Task<(ChannelCommand Command, byte[] Body)> ReadHandshakeCellAsync(CancellationToken ct)
    {
        while (true)
        {
            if (ChannelCellReader.TryRead(_receive.AsSpan(_receiveStart, _receiveEnd - _receiveStart), _framing, out var cell, out var consumed))
            {
                var result = (cell.Command, cell.Body.ToArray());
                _receiveStart += consumed;
                if (cell.CircId != 0 && cell.Command != ChannelCommand.VPadding)
                    throw Handshake($"a {cell.Command} cell for circuit {cell.CircId} arrived before the handshake finished");
                if (_framing.LinkVersion == 0 && cell.Command == ChannelCommand.VPadding)
                    continue;
                return result;
            }
            CompactReceiveBuffer();
            var n = await _stream.ReadAsync(_receive.AsMemory(_receiveEnd), ct).ConfigureAwait(false);
            if (n == 0)
                throw Handshake("the relay closed the connection");
            _receiveEnd += n;
        }
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

    // ---------------------------------------------------------------- sending

    /// <summary>Waits for room in the bounded outbound queue (backpressure). The slot is given back by the
    /// writer when a cell queued with <see cref="OutboundCellFlags.Counted"/> is written, or with
    /// <see cref="ReturnQueueSlot"/> if no cell is queued after all.</summary>
    public ValueTask TakeQueueSlotAsync(CancellationToken cancellationToken) => _slots.TakeAsync(cancellationToken);

    /// <summary>Takes a queue slot if one is free now (and the channel is open).</summary>
    public bool TryTakeQueueSlot() => !IsClosed && _slots.TryTake();

    public void ReturnQueueSlot() => _slots.Give(1);

    /// <summary>
    /// Queues a cell and takes ownership of its pooled body. A cell without
    /// <see cref="OutboundCellFlags.Counted"/> is a control cell: it never waits, but too many of them
    /// close the channel. Returns false (body returned, slot given back) when the channel is closed.
    /// </summary>
    public bool TryEnqueue(in OutboundCell cell)
    {
        var counted = (cell.Flags & OutboundCellFlags.Counted) != 0;
        if (!counted && Interlocked.Increment(ref _queuedControl) > _options.MaxQueuedControlCells)
        {
            Interlocked.Decrement(ref _queuedControl);
            CellBuffers.Return(cell.Body);
            Close(new ChannelException(ChannelErrorKind.ResourceLimit,
                $"Channel to {Target}: more than {_options.MaxQueuedControlCells} control cells are waiting to be written; the relay is not reading."));
            return false;
        }
        if (_queue.TryEnqueue(cell))
            return true;
        if (counted)
            _slots.Give(1);
        else
            Interlocked.Decrement(ref _queuedControl);
        CellBuffers.Return(cell.Body);
        return false;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new byte[WriteBatchCells * CellLength];
        var cells = new OutboundCell[WriteBatchCells];
        try
        {
            while (true)
            {
                var n = _queue.Drain(cells);
                if (n == 0)
                {
                    if (_queue.IsCompleted)
                        return;
                    await _queue.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                    continue;
                }
                var length = 0;
                for (var i = 0; i < n; i++)
                {
                    length += Serialize(cells[i], batch.AsSpan(length, CellLength));
                    cells[i] = default;
                }
                if (length > 0)
                    await _stream.WriteAsync(batch.AsMemory(0, length), _closing.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            for (var i = 0; i < cells.Length; i++)
            {
                if (cells[i].Body is { } body)
                    CellBuffers.Return(body);
                cells[i] = default;
            }
            Close(new ChannelException(ChannelErrorKind.Closed, $"Channel to {Target}: writing failed: {e.Message}", e));
        }
    }

    /// <summary>Writes one queued cell into <paramref name="destination"/> (514 bytes); 0 if it was dropped.</summary>
    private int Serialize(in OutboundCell cell, Span<byte> destination)
    {
        var body = destination.Slice(5, ChannelFraming.PayloadLength);
        cell.Body.AsSpan(0, ChannelFraming.PayloadLength).CopyTo(body);
        var command = cell.Command;
        var keep = true;
        if (cell.Handler is { } handler)
        {
            try
            {
                keep = handler.PrepareOutbound(body, cell, out command);
            }
            catch (Exception e)
            {
                ChannelLog.HandlerFailed(_logger, e, Target, cell.CircId, cell.Command);
                keep = false;
            }
        }
        CellBuffers.Return(cell.Body);
        if ((cell.Flags & OutboundCellFlags.Counted) != 0)
            _slots.Give(1);
        else
            Interlocked.Decrement(ref _queuedControl);
        if (!keep)
            return 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination, cell.CircId);
        destination[4] = (byte)command;
        return CellLength;
    }

    // ---------------------------------------------------------------- receiving

    private async Task ReadLoopAsync()
    {
        try
        {
            while (!IsClosed)
            {
                DispatchBufferedCells();
                if (IsClosed)
                    return;
                CompactReceiveBuffer();
                var n = await _stream.ReadAsync(_receive.AsMemory(_receiveEnd), _closing.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    Close(new ChannelException(ChannelErrorKind.Closed, $"Channel to {Target}: the relay closed the connection."));
                    return;
                }
                _receiveEnd += n;
            }
        }
        catch (Exception e)
        {
            Close(new ChannelException(ChannelErrorKind.Closed, $"Channel to {Target}: reading failed: {e.Message}", e));
        }
    }

    private void DispatchBufferedCells()
    {
        while (ChannelCellReader.TryRead(_receive.AsSpan(_receiveStart, _receiveEnd - _receiveStart), _framing, out var cell, out var consumed))
        {
            var circId = cell.CircId;
            var command = cell.Command;
            var bodyLength = cell.Body.Length;
            // The same bytes as cell.Body, writable: circuits decrypt relay cells in place.
            var body = _receive.AsSpan(_receiveStart + consumed - bodyLength, bodyLength);
            _receiveStart += consumed;
            if (circId == 0)
            {
                // PADDING / VPADDING keepalives, late VERSIONS (ignored, tor-spec 4.1), and anything else
                // without a circuit: nothing for a client to do.
                if (command is not (ChannelCommand.Padding or ChannelCommand.VPadding))
                    ChannelLog.DroppedCell(_logger, Target, command, 0);
                continue;
            }
            if (!_circuits.TryGet(circId, out var handler))
            {
                ChannelLog.DroppedCell(_logger, Target, command, circId);
                continue;
            }
            try
            {
                handler.OnCell(command, body);
            }
            catch (Exception e)
            {
                // Handlers close themselves on bad cells; this only guards the channel against bugs.
                ChannelLog.HandlerFailed(_logger, e, Target, circId, command);
            }
            if (IsClosed)
                return;
        }
    }

    private void CompactReceiveBuffer()
    {
        if (_receiveStart == _receiveEnd)
        {
            _receiveStart = _receiveEnd = 0;
            return;
        }
        if (_receiveStart == 0)
            return;
        _receive.AsSpan(_receiveStart, _receiveEnd - _receiveStart).CopyTo(_receive);
        _receiveEnd -= _receiveStart;
        _receiveStart = 0;
    }

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
