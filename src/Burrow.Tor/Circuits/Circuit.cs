// A client circuit: tor-spec 5.1 CREATE2/CREATED2 (ntor, 5.1.4), 5.1.2 EXTEND2/EXTENDED2, 5.4 DESTROY
// and RELAY_TRUNCATED, 5.5 relay cell routing, 5.6 RELAY_EARLY, 6 streams (BEGIN, BEGIN_DIR,
// CONNECTED, DATA, END, RESOLVE), 7.3 circuit flow control with authenticated SENDMEs (proposal 289).
using System.Net;
using System.Security.Cryptography;
using Burrow.Tor.Cells;
using Burrow.Tor.Channels;
using Burrow.Tor.Crypto;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Tor.Circuits;

/// <summary>
/// A circuit built hop by hop over a <see cref="Channels.Channel"/>. Inbound cells are handled on the
/// channel's reader loop (decrypted in place; DATA copied once into the stream's buffer); outbound relay
/// cells are queued in plaintext and encrypted by the channel's writer loop, in wire order, through
/// <see cref="PrepareOutbound"/>. Any bad cell closes this circuit only: streams fail with a
/// stream error whose inner <see cref="CircuitException"/> says why.
/// </summary>
/// <remarks>
/// The reader and writer loops run at the same time on one <see cref="Tor1CircuitCrypto"/>: the writer
/// only touches each hop's forward cipher and digest, the reader only the backward ones, which are
/// separate objects. Hops are added (by the reader, on CREATED2 / EXTENDED2) only while nothing else
/// is sent on the circuit. The crypto state is disposed once closing and both loops have let go.
/// </remarks>
internal sealed partial class Circuit : ICircuitCellHandler, ICircuitStreamHost, IAsyncDisposable
{
    /// <summary>RELAY_EARLY cells a relay accepts per circuit (tor-spec 5.6).</summary>
    public const int MaxRelayEarly = 8;

    /// <summary>Every EXTEND2 needs a RELAY_EARLY cell, so a circuit has at most this many hops.</summary>
    public const int MaxHops = MaxRelayEarly + 1;

    /// <summary>Circuit window increment (tor-spec 7.3).</summary>
    public const int SendmeIncrement = 100;

    /// <summary>Relay cells of one circuit that may wait in the channel's queue, so one busy circuit
    /// cannot take all of it.</summary>
    public const int MaxQueuedCells = 128;

    private readonly Channel _channel;
    private readonly CircuitParameters _parameters;
    private readonly ILogger _logger;
    private readonly Tor1CircuitCrypto _crypto = new();
    private readonly object _lock = new();
    private readonly CancellationTokenSource _closedCts = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CreditWindow _packageWindow;
    private readonly CreditWindow _queueSlots;
    private readonly Queue<byte[]> _expectedSendmeDigests = new();
    private readonly StreamMap _streamMap = new();
    private PendingHop? _pendingHop;
    private bool _built;
    private int _deliverWindow;       // reader loop only
    private int _dataCellsPackaged;   // writer loop only
    private int _relayEarlySent;      // writer loop only
    private int _cryptoUsers = 1;     // the circuit's own reference, released on close
    private CircuitException? _closeReason;

    /// <summary>Registers a new, empty circuit on <paramref name="channel"/>; build it with
    /// <see cref="CreateFirstHopAsync"/> and <see cref="ExtendAsync"/> (or use <see cref="CircuitBuilder"/>).</summary>
    public Circuit(Channel channel, CircuitParameters? parameters = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(channel);
        _channel = channel;
        _parameters = parameters ?? CircuitParameters.Default;
        _logger = logger ?? NullLogger.Instance;
        _deliverWindow = _parameters.CircWindow;
        _packageWindow = new CreditWindow(_parameters.CircWindow, _parameters.CircWindow, _closedCts.Token, ClosedError);
        _queueSlots = new CreditWindow(MaxQueuedCells, MaxQueuedCells, _closedCts.Token, ClosedError);
        CircId = channel.RegisterCircuit(this);
    }

    public uint CircId { get; }

    public Channel Channel => _channel;

    public CircuitParameters Parameters => _parameters;

    /// <summary>Hops whose handshake has completed.</summary>
    public int HopCount => _crypto.HopCount;

    public bool IsClosed => Volatile.Read(ref _closeReason) is not null;

    public CircuitException? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>Completes when the circuit has closed.</summary>
    public Task Completion => _completion.Task;

    /// <summary>How long BEGIN / BEGIN_DIR / RESOLVE wait for the exit's answer.</summary>
    public TimeSpan StreamOpenTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Open streams (for tests and diagnostics).</summary>
    public int StreamCount
    {
        get
        {
            lock (_lock)
                return _streamMap.OpenCount;
        }
    }

    /// <summary>DATA cells this circuit may still send before the next SENDME (for tests).</summary>
    internal int PackageWindow => _packageWindow.Available;

    private int LastHop => _crypto.HopCount - 1;

    private string Name => $"Circuit {CircId:X8} via {_channel.Target}";

    // ================================================================ building

    /// <summary>CREATE2 (ntor) to the channel's relay.</summary>
    public Task CreateFirstHopAsync(RelayTarget relay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(relay);
        if (HopCount != 0)
            throw new InvalidOperationException("The first hop already exists.");
        if (!relay.RsaIdentity.AsSpan().SequenceEqual(_channel.Target.RsaIdentity))
            throw new ArgumentException($"The first hop must be the channel's relay ${_channel.Target.Fingerprint}, not ${relay.Fingerprint}.", nameof(relay));
        return AddHopAsync(relay, cancellationToken);
    }

    /// <summary>
    /// CREATE_FAST (tor-spec 5.1.5) to the channel's relay, for one-hop directory circuits to a relay
    /// whose ntor key is not known yet (bootstrapping from fallback caches). It adds no authentication
    /// beyond the channel's, which already proved the relay's identity.
    /// </summary>
    public Task CreateFirstHopFastAsync(CancellationToken cancellationToken = default)
    {
        if (HopCount != 0)
            throw new InvalidOperationException("The first hop already exists.");
        var pending = new PendingHop(null, -1) { FastX = RandomNumberGenerator.GetBytes(CreateFastCell.KeyMaterialLength) };
        return RunPendingHopAsync(pending, () =>
        {
            var body = RentBody();
            body.AsSpan(0, ChannelFraming.PayloadLength).Clear();
            new CreateFastCell(pending.FastX).Encode(body);
            if (!_channel.TryEnqueue(new OutboundCell(CircId, ChannelCommand.CreateFast, body, null, 0, OutboundCellFlags.None)))
                throw ClosedError();
            return Task.CompletedTask;
        }, $"{Name}: CREATE_FAST to {_channel.Target} was cancelled.", cancellationToken);
    }

    /// <summary>EXTEND2 (in RELAY_EARLY) from the current last hop to <paramref name="relay"/>.</summary>
    public Task ExtendAsync(RelayTarget relay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(relay);
        if (HopCount == 0)
            throw new InvalidOperationException("Create the first hop before extending.");
        if (HopCount >= MaxHops)
            throw new InvalidOperationException($"A circuit has at most {MaxHops} hops (one RELAY_EARLY cell per EXTEND2, {MaxRelayEarly} allowed).");
        return AddHopAsync(relay, cancellationToken);
    }

    /// <summary>Marks the circuit usable for streams (no more hops will be added).</summary>
    internal void MarkBuilt()
    {
        ThrowIfClosed();
        lock (_lock)
            _built = true;
        CircuitLog.Built(_logger, CircId, _channel.Target.ToString(), HopCount);
    }

    private async Task AddHopAsync(RelayTarget relay, CancellationToken cancellationToken)
    {
        using var ntor = NtorClient.Create(relay.RsaIdentity, relay.NtorOnionKey);
        var first = HopCount == 0;
        var pending = new PendingHop(ntor, first ? -1 : LastHop);
        await RunPendingHopAsync(pending, async () =>
        {
            if (first)
            {
                var body = RentBody();
                var create = new Create2Cell(HandshakeType.Ntor, ntor.Onionskin);
                body.AsSpan(0, ChannelFraming.PayloadLength).Clear();
                create.Encode(body);
                if (!_channel.TryEnqueue(new OutboundCell(CircId, ChannelCommand.Create2, body, null, 0, OutboundCellFlags.None)))
                    throw ClosedError();
            }
            else
            {
                var extend = new Extend2Message(LinkSpecifiersOf(relay), HandshakeType.Ntor, ntor.Onionskin);
                await SendRelayAsync(extend, 0, LastHop, OutboundCellFlags.Early, cancellationToken).ConfigureAwait(false);
            }
        }, $"{Name}: adding hop {(first ? 1 : HopCount + 1)} ({relay}) was cancelled.", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One hop in the making: registers it as the pending hop, sends its handshake, waits for the
    /// reply (the reader completes <see cref="PendingHop.Done"/>); a cancelled half-added hop leaves the
    /// circuit unusable, so it is closed.</summary>
    private async Task RunPendingHopAsync(PendingHop pending, Func<Task> send, string cancelledMessage, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ThrowIfClosed();
            if (_built || _pendingHop is not null)
                throw new InvalidOperationException("The circuit is built, or another hop is being added.");
            _pendingHop = pending;
        }
        try
        {
            await send().ConfigureAwait(false);
            await pending.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Close(new CircuitException(CircuitErrorKind.Closed, cancelledMessage));
            throw;
        }
        finally
        {
            lock (_lock)
            {
                if (_pendingHop == pending)
                    _pendingHop = null;
            }
        }
    }

    /// <summary>Link specifiers in the order tor-spec 5.1.2 recommends: [00] IPv4, [02] legacy id,
    /// [03] Ed25519 id, [01] IPv6.</summary>
    private static List<LinkSpecifier> LinkSpecifiersOf(RelayTarget relay)
    {
        var specs = new List<LinkSpecifier>(3);
        var address = relay.OrPort.Address.IsIPv4MappedToIPv6 ? relay.OrPort.Address.MapToIPv4() : relay.OrPort.Address;
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            specs.Add(new IPv4LinkSpecifier(address, (ushort)relay.OrPort.Port));
        specs.Add(new LegacyIdLinkSpecifier(relay.RsaIdentity));
        if (relay.Ed25519Identity is { } ed)
            specs.Add(new Ed25519IdLinkSpecifier(ed));
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
            specs.Add(new IPv6LinkSpecifier(address, (ushort)relay.OrPort.Port));
        return specs;
    }

    // ================================================================ streams

    /// <summary>Registers a new stream ending at the last hop under a fresh stream ID; the stream layer
    /// makes the stream object (<paramref name="create"/> gets this circuit, the ID and the hop).</summary>
    internal T AttachStream<T>(Func<ICircuitStreamHost, ushort, int, T> create) where T : ICircuitStream
    {
        ThrowIfNotBuilt();
        lock (_lock)
        {
            ThrowIfClosed();
            var id = _streamMap.AllocateId() ?? throw new CircuitException(CircuitErrorKind.ResourceLimit, $"{Name}: all stream IDs are in use.");
            var stream = create(this, id, LastHop);
            _streamMap.AddOpen(stream);
            return stream;
        }
    }

    /// <summary>Sends <paramref name="begin"/> (BEGIN or BEGIN_DIR) for an attached stream and waits for
    /// CONNECTED, at most <see cref="StreamOpenTimeout"/>: a timeout throws <see cref="TimeoutException"/>;
    /// circuit and channel failures throw theirs; END fails the stream's <see cref="ICircuitStream.Connected"/>.</summary>
    internal async Task BeginStreamAsync(ICircuitStream stream, RelayMessage begin, string description, CancellationToken cancellationToken)
    {
        CircuitLog.StreamOpening(_logger, CircId, stream.StreamId, description);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StreamOpenTimeout);
        try
        {
            await SendRelayAsync(begin, stream.StreamId, stream.Hop, OutboundCellFlags.None, timeout.Token).ConfigureAwait(false);
            await stream.Connected.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Stream {stream.StreamId} to {description}: the exit did not answer within {StreamOpenTimeout.TotalSeconds:0.#} s.", e);
        }
    }

    /// <summary>Sends RELAY_RESOLVE (tor-spec 6.4) and returns the exit's answer: a <see cref="ResolvedMessage"/>
    /// or the <see cref="EndMessage"/> it sent instead. No answer within <see cref="StreamOpenTimeout"/> throws
    /// <see cref="TimeoutException"/>; circuit and channel failures throw theirs.</summary>
    internal async Task<RelayMessage> ExchangeResolveAsync(string hostname, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(hostname);
        ThrowIfNotBuilt();
        var answer = new TaskCompletionSource<RelayMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        ushort id;
        lock (_lock)
        {
            ThrowIfClosed();
            id = _streamMap.AllocateId() ?? throw new CircuitException(CircuitErrorKind.ResourceLimit, $"{Name}: all stream IDs are in use.");
            _streamMap.AddResolve(id, answer);
        }
        CircuitLog.StreamOpening(_logger, CircId, id, "resolve " + hostname);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StreamOpenTimeout);
        try
        {
            await SendRelayAsync(new ResolveMessage(hostname.ToLowerInvariant()), id, LastHop, OutboundCellFlags.None, timeout.Token).ConfigureAwait(false);
            return await answer.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Resolving {hostname}: the exit did not answer within {StreamOpenTimeout.TotalSeconds:0.#} s.", e);
        }
        finally
        {
            lock (_lock)
            {
                if (_streamMap.RemoveResolve(id) && !answer.Task.IsCompleted)
                    _streamMap.AddHalfClosed(id, 0);
            }
        }
    }

    void ICircuitStreamHost.OnStreamDisposed(ICircuitStream stream, int dataAllowance)
    {
        lock (_lock)
        {
            if (!_streamMap.RemoveOpen(stream))
                return;
            if (IsClosed)
                return;
            _streamMap.AddHalfClosed(stream.StreamId, dataAllowance);
        }
        // Originators send REASON_MISC (tor-spec 6.3).
        SendControl(new EndMessage(EndReason.Misc), stream.StreamId, stream.Hop);
    }

    // ================================================================ sending

    /// <summary>Sends one DATA cell (at most 498 bytes) for <paramref name="stream"/>, waiting for the stream
    /// window, the circuit window and room in the queue (this circuit's share, then the channel's), in that
    /// order. Completes synchronously (no state machine) when all of them have room.</summary>
    public ValueTask SendDataAsync(ICircuitStream stream, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (stream.PackageWindow.TryTake())
        {
            if (_packageWindow.TryTake())
            {
                if (TryTakeQueueSlots())
                {
                    try
                    {
                        EnqueueData(stream, data.Span);
                        return ValueTask.CompletedTask;
                    }
                    catch (Exception e)
                    {
                        return ValueTask.FromException(e);
                    }
                }
                _packageWindow.Give(1);
            }
            stream.PackageWindow.Give(1);
        }
        return SendDataSlowAsync(stream, data, cancellationToken);
    }

    private async ValueTask SendDataSlowAsync(ICircuitStream stream, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var stage = 0;
        try
        {
            await stream.PackageWindow.TakeAsync(cancellationToken).ConfigureAwait(false);
            stage = 1;
            await _packageWindow.TakeAsync(cancellationToken).ConfigureAwait(false);
            stage = 2;
            await TakeQueueSlotsAsync(cancellationToken).ConfigureAwait(false);
            stage = 3;
        }
        catch (Exception e)
        {
            if (stage >= 2)
                _packageWindow.Give(1);
            if (stage >= 1)
                stream.PackageWindow.Give(1);
            if (e is CircuitException or ChannelException)
                throw stream.WriteError(e);
            throw;
        }
        EnqueueData(stream, data.Span);
    }

    /// <summary>Queues a DATA cell whose credits (stream, circuit, queue slot) were taken.</summary>
    private void EnqueueData(ICircuitStream stream, ReadOnlySpan<byte> data)
    {
        if (IsClosed)
        {
            ReturnQueueSlots();
            throw stream.WriteError(ClosedError());
        }
        var body = RentBody();
        var span = body.AsSpan(0, RelayCell.BodyLength);
        data.CopyTo(RelayCell.DataArea(span));
        RelayCell.Seal(span, RelayCommand.Data, stream.StreamId, data.Length);
        if (!_channel.TryEnqueue(new OutboundCell(CircId, ChannelCommand.Relay, body, this, (byte)stream.Hop, OutboundCellFlags.Counted | OutboundCellFlags.Data)))
        {
            _queueSlots.Give(1);
            throw stream.WriteError(ClosedError());
        }
    }

    /// <summary>A stream-level SENDME (empty, tor-spec 7.4); never waits.</summary>
    public void SendStreamSendme(ICircuitStream stream)
    {
        if (IsClosed)
            return;
        var body = RentBody();
        RelayCell.Seal(body.AsSpan(0, RelayCell.BodyLength), RelayCommand.Sendme, stream.StreamId, 0);
        _channel.TryEnqueue(new OutboundCell(CircId, ChannelCommand.Relay, body, this, (byte)stream.Hop, OutboundCellFlags.None));
    }

    /// <summary>A relay message that takes a queue slot (BEGIN, RESOLVE, EXTEND2).</summary>
    private async ValueTask SendRelayAsync(RelayMessage message, ushort streamId, int hop, OutboundCellFlags flags, CancellationToken cancellationToken)
    {
        await TakeQueueSlotsAsync(cancellationToken).ConfigureAwait(false);
        var body = RentBody();
        try
        {
            RelayCell.Encode(body.AsSpan(0, RelayCell.BodyLength), streamId, message);
        }
        catch
        {
            CellBuffers.Return(body);
            ReturnQueueSlots();
            throw;
        }
        if (!_channel.TryEnqueue(new OutboundCell(CircId, ChannelCommand.Relay, body, this, (byte)hop, flags | OutboundCellFlags.Counted)))
        {
            _queueSlots.Give(1);
            throw ClosedError();
        }
    }

    /// <summary>A slot of this circuit's share of the channel queue and one of the channel's, both or neither.</summary>
    private bool TryTakeQueueSlots()
    {
        if (!_queueSlots.TryTake())
            return false;
        if (_channel.TryTakeQueueSlot())
            return true;
        _queueSlots.Give(1);
        return false;
    }

    private async ValueTask TakeQueueSlotsAsync(CancellationToken cancellationToken)
    {
        await _queueSlots.TakeAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _channel.TakeQueueSlotAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _queueSlots.Give(1);
            throw;
        }
    }

    private void ReturnQueueSlots()
    {
        _channel.ReturnQueueSlot();
        _queueSlots.Give(1);
    }

    /// <summary>A relay message sent without waiting (END); dropped if the channel is gone.</summary>
    private void SendControl(RelayMessage message, ushort streamId, int hop)
    {
        var body = RentBody();
        RelayCell.Encode(body.AsSpan(0, RelayCell.BodyLength), streamId, message);
        _channel.TryEnqueue(new OutboundCell(CircId, ChannelCommand.Relay, body, this, (byte)hop, OutboundCellFlags.None));
    }

    /// <summary>An authenticated circuit SENDME (version 1, tor-spec 7.3.1) carrying the digest of the cell
    /// just received from <paramref name="hop"/>. Reader loop only.</summary>
    private void SendCircuitSendme(int hop)
    {
        var body = RentBody();
        var span = body.AsSpan(0, RelayCell.BodyLength);
        var data = RelayCell.DataArea(span);
        data[0] = 1;
        data[1] = 0;
        data[2] = SendmeMessage.DigestLength;
        _crypto.LastReceivedDigest(hop).CopyTo(data[3..]);
        RelayCell.Seal(span, RelayCommand.Sendme, 0, 3 + SendmeMessage.DigestLength);
        _channel.TryEnqueue(new OutboundCell(CircId, ChannelCommand.Relay, body, this, (byte)hop, OutboundCellFlags.None));
    }

    bool ICircuitCellHandler.PrepareOutbound(Span<byte> body, in OutboundCell cell, out ChannelCommand command) =>
        PrepareOutbound(body, cell, out command);

    /// <summary>Writer loop: onion-encrypts a queued relay cell in place, records the digest every 100th DATA
    /// cell (the one the exit's authenticated SENDME will name), and picks RELAY or RELAY_EARLY.</summary>
    internal bool PrepareOutbound(Span<byte> body, in OutboundCell cell, out ChannelCommand command)
    {
        command = ChannelCommand.Relay;
        if ((cell.Flags & OutboundCellFlags.Counted) != 0)
            _queueSlots.Give(1);
        if (!TryEnterCrypto())
            return false;
        try
        {
            int hop = cell.Hop;
            if (IsClosed || hop >= _crypto.HopCount)
                return false;
            _crypto.EncryptOriginated(body, hop);
            if ((cell.Flags & OutboundCellFlags.Data) != 0 && ++_dataCellsPackaged % SendmeIncrement == 0)
            {
                var digest = _crypto.LastOriginatedDigest(hop).ToArray();
                lock (_lock)
                    _expectedSendmeDigests.Enqueue(digest);
            }
            if ((cell.Flags & OutboundCellFlags.Early) != 0)
            {
                if (++_relayEarlySent > MaxRelayEarly)
                {
                    Close(new CircuitException(CircuitErrorKind.ResourceLimit, $"{Name}: more than {MaxRelayEarly} RELAY_EARLY cells needed."));
                    return false;
                }
                command = ChannelCommand.RelayEarly;
            }
            else if (hop > 0 && _relayEarlySent < MaxRelayEarly && Volatile.Read(ref _built))
            {
                // tor-spec 5.6: the first cells past the first hop also go as RELAY_EARLY, so the
                // RELAY_EARLY count does not reveal the circuit's length.
                _relayEarlySent++;
                command = ChannelCommand.RelayEarly;
            }
            return true;
        }
        finally
        {
            ExitCrypto();
        }
    }

    // ================================================================ receiving (channel reader loop)

    void ICircuitCellHandler.OnCell(ChannelCommand command, Span<byte> body) => OnCell(command, body);

    internal void OnCell(ChannelCommand command, Span<byte> body)
    {
        if (!TryEnterCrypto())
            return;
        try
        {
            switch (command)
            {
                case ChannelCommand.Relay:
                    OnRelayCell(body);
                    break;
                case ChannelCommand.RelayEarly:
                    throw CircuitException.Violation("the relay sent an inbound RELAY_EARLY cell (tor-spec 5.6: close the circuit)");
                case ChannelCommand.Created2:
                    OnCreated2(body);
                    break;
                case ChannelCommand.CreatedFast:
                    OnCreatedFast(body);
                    break;
                case ChannelCommand.Destroy:
                    var reason = body.IsEmpty ? DestroyReason.None : (DestroyReason)body[0];
                    Close(new CircuitException(CircuitErrorKind.Destroyed, $"{Name}: the relay destroyed the circuit ({Describe(reason)}).", null, reason),
                        sendDestroy: false);
                    break;
                case ChannelCommand.Padding or ChannelCommand.VPadding:
                    break;
                default:
                    throw CircuitException.Violation($"unexpected {command} cell on a client circuit");
            }
        }
        catch (CircuitException e)
        {
            Close(e.Kind == CircuitErrorKind.ProtocolViolation && !e.Message.StartsWith("Circuit ", StringComparison.Ordinal)
                ? new CircuitException(e.Kind, $"{Name}: {e.Message}.", e.InnerException, e.DestroyReason)
                : e);
        }
        catch (CellFormatException e)
        {
            Close(new CircuitException(CircuitErrorKind.ProtocolViolation, $"{Name}: malformed {command} cell: {e.Message}", e));
        }
        catch (TorCryptoException e)
        {
            Close(new CircuitException(CircuitErrorKind.HandshakeFailed, $"{Name}: {e.Message}", e));
        }
        catch (Exception e)
        {
            // Never let a cell take the channel (or the process) down.
            Close(new CircuitException(CircuitErrorKind.ProtocolViolation, $"{Name}: failed to handle a {command} cell: {e.Message}", e));
        }
        finally
        {
            ExitCrypto();
        }
    }

    private void OnCreatedFast(Span<byte> body)
    {
        // Decoded before the pending hop is taken: if this throws, closing the circuit fails the builder.
        var reply = CreatedFastCell.Decode(body);
        var pending = TakePendingHop(-1);
        if (pending?.FastX is not { } x)
        {
            var error = CircuitException.Violation("CREATED_FAST without a CREATE_FAST in progress");
            pending?.Done.TrySetException(error);
            throw error;
        }
        // tor-spec 5.1.5: K0 = X | Y; KDF-TOR(K0) = KH | Df | Db | Kf | Kb; KH proves the relay derived the same.
        Span<byte> k0 = stackalloc byte[2 * CreateFastCell.KeyMaterialLength];
        x.CopyTo(k0);
        reply.KeyMaterial.Span.CopyTo(k0[CreateFastCell.KeyMaterialLength..]);
        var material = new byte[CircuitKeys.TotalLength];
        KdfTor.Derive(k0, material);
        CryptographicOperations.ZeroMemory(k0);
        CryptographicOperations.ZeroMemory(x);
        var keys = CircuitKeys.FromKdfTorLayout(material);
        CryptographicOperations.ZeroMemory(material);
        if (!CryptographicOperations.FixedTimeEquals(keys.Kh, reply.DerivativeKeyData.Span))
        {
            keys.Clear();
            var error = new CircuitException(CircuitErrorKind.HandshakeFailed, $"{Name}: CREATED_FAST derivative key data does not match (tor-spec 5.1.5)");
            pending.Done.TrySetException(error);
            throw error;
        }
        _crypto.AddHop(keys);
        keys.Clear();
        pending.Done.TrySetResult();
    }

    private void OnCreated2(Span<byte> body)
    {
        // Decoded before the pending hop is taken: if this throws, closing the circuit fails the builder.
        var reply = Created2Cell.Decode(body);
        var pending = TakePendingHop(-1);
        if (pending?.Ntor is null)
        {
            // A CREATE_FAST waiting here must fail too, not wait for its timeout.
            var error = CircuitException.Violation("CREATED2 without a CREATE2 in progress");
            pending?.Done.TrySetException(error);
            throw error;
        }
        CompleteHop(pending, reply.HandshakeData.Span);
    }

    private void CompleteHop(PendingHop pending, ReadOnlySpan<byte> reply)
    {
        CircuitKeys keys;
        try
        {
            keys = pending.Ntor!.Complete(reply);
        }
        catch (TorCryptoException e)
        {
            var error = new CircuitException(CircuitErrorKind.HandshakeFailed, $"{Name}: hop {HopCount + 1} failed the ntor handshake: {e.Message}", e);
            pending.Done.TrySetException(error);
            throw error;
        }
        _crypto.AddHop(keys);
        keys.Clear();
        pending.Done.TrySetResult();
    }

    private PendingHop? TakePendingHop(int fromHop)
    {
        lock (_lock)
        {
            var pending = _pendingHop;
            if (pending is null || pending.FromHop != fromHop)
                return null;
            _pendingHop = null;
            return pending;
        }
    }

    private void OnRelayCell(Span<byte> body)
    {
        if (!_crypto.TryDecryptInbound(body, out var hop))
            throw CircuitException.Violation("a relay cell that no hop recognized (wrong digest: corrupted or forged)");
        var header = RelayCell.ReadHeader(body);
        var data = body.Slice(RelayCell.HeaderLength, header.Length);
        var streamId = header.StreamId;
        switch (header.Command)
        {
            case RelayCommand.Data:
                OnData(hop, streamId, data);
                return;
            case RelayCommand.Sendme:
                if (streamId == 0)
                    OnCircuitSendme(hop, data);
                else
                    OnStreamSendme(hop, streamId);
                return;
            case RelayCommand.Drop:
                return; // long-range padding (tor-spec 6.2)
            case RelayCommand.Connected or RelayCommand.End or RelayCommand.Resolved:
                RelayMessage.CheckStreamId(header.Command, streamId);
                OnStreamControl(hop, header.Command, streamId, data);
                return;
            case RelayCommand.Extended2:
                RelayMessage.CheckStreamId(header.Command, streamId);
                var extended = Extended2Message.Decode(data);
                var pending = TakePendingHop(hop) ?? throw CircuitException.Violation($"EXTENDED2 from hop {hop + 1} without an EXTEND2 in progress");
                CompleteHop(pending, extended.HandshakeData.Span);
                return;
            case RelayCommand.Truncated:
                var reason = TruncatedMessage.Decode(data).Reason;
                // Clients do not reuse truncated circuits: tear the rest down (tor-spec 5.4).
                Close(new CircuitException(CircuitErrorKind.Truncated, $"{Name}: truncated after hop {hop + 1} ({Describe(reason)}).", null, reason));
                return;
            case RelayCommand.Begin or RelayCommand.BeginDir or RelayCommand.Extend or RelayCommand.Extend2
                or RelayCommand.Truncate or RelayCommand.Resolve or RelayCommand.Extended:
                throw CircuitException.Violation($"hop {hop + 1} sent {header.Command}, which only a client sends (or this client never asked for)");
            default:
                // Recognized but not understood: dropped (tor-spec 6.1); it still counted for the digest.
                CircuitLog.IgnoredRelayCommand(_logger, CircId, header.Command, hop);
                return;
        }
    }

    private void OnData(int hop, ushort streamId, ReadOnlySpan<byte> data)
    {
        if (streamId == 0)
            throw CircuitException.Violation("RELAY_DATA with stream ID 0");
        if (hop != LastHop)
            throw CircuitException.Violation($"RELAY_DATA from hop {hop + 1}; streams end at hop {LastHop + 1}");
        if (--_deliverWindow < 0)
            throw CircuitException.Violation($"the relay sent more DATA than the circuit window of {_parameters.CircWindow} allows");
        ICircuitStream? stream;
        lock (_lock)
        {
            if (!_streamMap.TryGetOpen(streamId, out stream))
            {
                stream = null;
                switch (_streamMap.TakeHalfClosedData(streamId))
                {
                    case null:
                        throw CircuitException.Violation($"RELAY_DATA for stream {streamId}, which is not open");
                    case false:
                        throw CircuitException.Violation($"more RELAY_DATA for closed stream {streamId} than its window allowed");
                }
            }
        }
        if (stream is not null && !stream.OnData(data))
            throw CircuitException.Violation($"the exit sent more DATA on stream {streamId} than the stream window allows");
        if (_deliverWindow <= _parameters.CircWindow - SendmeIncrement)
        {
            _deliverWindow += SendmeIncrement;
            SendCircuitSendme(hop);
        }
    }

    private void OnCircuitSendme(int hop, ReadOnlySpan<byte> data)
    {
        if (hop != LastHop)
            throw CircuitException.Violation($"a circuit SENDME from hop {hop + 1}, which this client sends no DATA to");
        var sendme = SendmeMessage.Decode(data);
        if (sendme.Version > 1)
            throw CircuitException.Violation($"a circuit SENDME of unrecognized version {sendme.Version}");
        if (sendme.Version < _parameters.SendmeAcceptMinVersion)
            throw CircuitException.Violation($"a version {sendme.Version} circuit SENDME; the consensus requires version {_parameters.SendmeAcceptMinVersion} or later");
        byte[]? expected;
        lock (_lock)
            _expectedSendmeDigests.TryDequeue(out expected);
        if (expected is null)
            throw CircuitException.Violation($"a circuit SENDME that would raise the package window above {_parameters.CircWindow}");
        if (sendme.Version == 1 && !CryptographicOperations.FixedTimeEquals(expected, sendme.Digest.Span))
            throw CircuitException.Violation("an authenticated SENDME whose digest does not match the DATA cell it acknowledges");
        if (!_packageWindow.TryGrant(SendmeIncrement))
            throw CircuitException.Violation($"a circuit SENDME that would raise the package window above {_parameters.CircWindow}");
    }

    private void OnStreamSendme(int hop, ushort streamId)
    {
        ICircuitStream? stream;
        lock (_lock)
        {
            if (!_streamMap.TryGetOpen(streamId, out stream))
            {
                if (_streamMap.IsHalfClosed(streamId))
                    return;
                throw CircuitException.Violation($"a SENDME for stream {streamId}, which is not open");
            }
        }
        if (hop != stream.Hop)
            throw CircuitException.Violation($"a SENDME for stream {streamId} from hop {hop + 1}, not from its exit");
        if (!stream.OnSendme())
            throw CircuitException.Violation($"a SENDME for stream {streamId} that would raise its window above its starting value");
    }

    private void OnStreamControl(int hop, RelayCommand command, ushort streamId, ReadOnlySpan<byte> data)
    {
        // Streams end at the last hop; anything else is a violation before any state changes (a stream
        // taken out of the table here would miss the circuit's close).
        if (hop != LastHop)
            throw CircuitException.Violation($"{command} for stream {streamId} from hop {hop + 1}, not from its exit");
        // Decoded first for the same reason: a malformed message must not leave a half-updated table.
        RelayMessage message = command switch
        {
            RelayCommand.Connected => ConnectedMessage.Decode(data),
            RelayCommand.End => EndMessage.Decode(data),
            _ => ResolvedMessage.Decode(data),
        };
        ICircuitStream? stream = null;
        TaskCompletionSource<RelayMessage>? resolve = null;
        lock (_lock)
        {
            if (_streamMap.TryGetOpen(streamId, out stream))
            {
                if (command == RelayCommand.End)
                    _streamMap.RemoveOpen(streamId);
            }
            else if (_streamMap.TryGetResolve(streamId, out resolve))
            {
                stream = null;
                if (command is RelayCommand.End or RelayCommand.Resolved)
                    _streamMap.RemoveResolve(streamId);
            }
            else if (_streamMap.IsHalfClosed(streamId))
            {
                // Crossed with our END; the exit sends nothing after its own END.
                if (command == RelayCommand.End)
                    _streamMap.EndHalfClosed(streamId);
                return;
            }
            else
                throw CircuitException.Violation($"{command} for stream {streamId}, which is not open");
        }
        if (stream is not null)
        {
            switch (message)
            {
                case ConnectedMessage connected:
                    if (!stream.OnConnected(connected))
                        throw CircuitException.Violation($"RELAY_CONNECTED for stream {streamId}, which was already connected or failed");
                    break;
                case EndMessage end:
                    stream.OnEnd(end);
                    break;
                default:
                    throw CircuitException.Violation($"{command} for stream {streamId}, which is a data stream");
            }
            return;
        }
        switch (message)
        {
            case ResolvedMessage or EndMessage:
                resolve!.TrySetResult(message);
                break;
            default:
                throw CircuitException.Violation($"{command} for stream {streamId}, which is a resolve request");
        }
    }

    void ICircuitCellHandler.OnChannelClosed(ChannelException reason) =>
        Close(new CircuitException(CircuitErrorKind.ChannelClosed, $"{Name}: {reason.Message}", reason), sendDestroy: false);

    // ================================================================ closing

    /// <summary>Closes the circuit locally: sends DESTROY (reason NONE, as an OP always does: tor-spec 5.4),
    /// fails its streams and pending operations.</summary>
    public void Close() => Close(new CircuitException(CircuitErrorKind.Closed, $"{Name} was closed locally."));

    /// <summary>Closes with <paramref name="reason"/>; DESTROY goes out unless the relay already tore the
    /// circuit down (it sent DESTROY) or the channel is gone.</summary>
    internal void Close(CircuitException reason, bool sendDestroy = true)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null)
            return;
        _channel.UnregisterCircuit(CircId, this);
        if (sendDestroy && !_channel.IsClosed)
        {
            var body = RentBody();
            body.AsSpan(0, ChannelFraming.PayloadLength).Clear();
            body[0] = (byte)DestroyReason.None;
            _channel.TryEnqueue(new OutboundCell(CircId, ChannelCommand.Destroy, body, null, 0, OutboundCellFlags.None));
        }
        CircuitLog.Closed(_logger, CircId, _channel.Target.ToString(), reason.Kind, reason.Message);
        try
        {
            _closedCts.Cancel();
        }
        catch (AggregateException)
        {
            // A waiter's callback failed; closing goes on.
        }
        PendingHop? pending;
        List<ICircuitStream> streams;
        List<TaskCompletionSource<RelayMessage>> resolves;
        lock (_lock)
        {
            pending = _pendingHop;
            _pendingHop = null;
            (streams, resolves) = _streamMap.Clear();
            _expectedSendmeDigests.Clear();
        }
        pending?.Done.TrySetException(reason);
        foreach (var stream in streams)
            stream.OnCircuitClosed(reason);
        foreach (var resolve in resolves)
            resolve.TrySetException(reason);
        ExitCrypto();
        _completion.TrySetResult();
    }

    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }

    // ================================================================ helpers

    /// <summary>The crypto state is used by the reader loop, the writer loop and closing, on different
    /// threads; it is disposed when the last of them lets go.</summary>
    private bool TryEnterCrypto()
    {
        var users = Volatile.Read(ref _cryptoUsers);
        while (users > 0)
        {
            var seen = Interlocked.CompareExchange(ref _cryptoUsers, users + 1, users);
            if (seen == users)
                return true;
            users = seen;
        }
        return false;
    }

    private void ExitCrypto()
    {
        if (Interlocked.Decrement(ref _cryptoUsers) == 0)
            _crypto.Dispose();
    }

    private static byte[] RentBody() => CellBuffers.Rent();

    private CircuitException ClosedError() =>
        CloseReason ?? new CircuitException(CircuitErrorKind.Closed, $"{Name} is closed.");

    private void ThrowIfClosed()
    {
        if (CloseReason is { } reason)
            throw reason;
    }

    private void ThrowIfNotBuilt()
    {
        ThrowIfClosed();
        if (!Volatile.Read(ref _built))
            throw new InvalidOperationException($"{Name} is still being built.");
    }

    private static string Describe(DestroyReason reason) =>
        Enum.IsDefined(reason) ? reason.ToString().ToUpperInvariant() : $"reason {(byte)reason}";

    /// <summary>A CREATE2 or EXTEND2 waiting for its answer from <see cref="FromHop"/> (-1: the channel's relay).</summary>
    private sealed class PendingHop(NtorClient? ntor, int fromHop)
    {
        /// <summary>The ntor handshake in progress; null for CREATE_FAST.</summary>
        public NtorClient? Ntor { get; } = ntor;

        /// <summary>CREATE_FAST key material X; null for ntor.</summary>
        public byte[]? FastX { get; init; }
        public int FromHop { get; } = fromHop;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
