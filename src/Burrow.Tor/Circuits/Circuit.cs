// A client circuit (the state and closing; its other jobs are in Circuit.Handshake.cs, Circuit.Streams.cs,
// Circuit.Outbound.cs and Circuit.Inbound.cs): tor-spec 5.1 CREATE2/CREATED2 (ntor, 5.1.4), 5.1.2 EXTEND2/EXTENDED2, 5.4 DESTROY
// and RELAY_TRUNCATED, 5.5 relay cell routing, 5.6 RELAY_EARLY, 6 streams (BEGIN, BEGIN_DIR,
// CONNECTED, DATA, END, RESOLVE), 7.3 circuit flow control with authenticated SENDMEs (proposal 289),
// or congestion control (proposal 324) where the exit negotiated it: Circuit.Congestion.cs.
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
    private CreditWindow _packageWindow; // replaced once, before the circuit is built, when CC is negotiated
    private readonly CreditWindow _queueSlots;
    private readonly Queue<ExpectedSendme> _expectedSendmes = new();
    private readonly List<Cells.HandshakeType> _hopHandshakes = new(3);
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

    /// <summary>Writers waiting for the circuit window, and for this circuit's share of the queue (for tests).</summary>
    internal (int PackageWindow, int QueueShare) CreditWaiters => (_packageWindow.Waiters, _queueSlots.Waiters);

    private int LastHop => _crypto.HopCount - 1;

    private string Name => $"Circuit {CircId:X8} via {_channel.Target}";

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
            _expectedSendmes.Clear();
        }
        pending?.Done.TrySetException(reason);
        foreach (var stream in streams)
            stream.OnCircuitClosed(reason);
        foreach (var resolve in resolves)
            resolve.TrySetException(reason);
        StopLiveness();
        ExitCrypto();
        _completion.TrySetResult();
    }

    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }

    // ================================================================ helpers

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
}
