// A stream over a circuit (tor-spec 6.2 opening and DATA, 6.3 closing, 7.4 stream-level flow control; on
// congestion-controlled circuits XON/XOFF instead of stream windows, proposal 324 section 4).
using Burrow.Tor.Cells;
using Burrow.Tor.Channels;
using Burrow.Tor.Circuits;

namespace Burrow.Tor.Streams;

/// <summary>
/// A TCP connection made by an exit (or a directory connection made by BEGIN_DIR), as a
/// <see cref="Stream"/>. Writes are cut into DATA cells of at most 498 bytes and wait for the stream
/// window (500 cells, +50 per SENDME from the exit) and the circuit window; reads come from a buffer
/// that the exit can fill by at most the stream window, and stream SENDMEs are sent as the reader
/// consumes data, so a slow reader holds the exit back instead of growing memory. On a circuit with
/// congestion control there are no stream windows: the stream sends XOFF once more than the circuit's
/// XOFF limit is buffered and XON once the reader has drained it, and stops writing while the exit has
/// sent XOFF.
/// </summary>
/// <remarks>
/// <para>No half-close: Tor streams cannot shut down one direction (tor-spec 6.3 describes RELAY_FIN but
/// it was never implemented). A caller that has nothing more to send either keeps the stream open
/// (writing nothing more) or calls <see cref="EndLocally"/>, which is what C tor does when an
/// application closes its side: END goes out after the queued data, data already received is still
/// read, then reads return 0. The stream also ends when the exit sends END (reads
/// then return 0 for REASON_DONE, or throw <see cref="TorStreamException"/> for other reasons once the
/// buffered data is read) or when it is disposed, which sends END (REASON_MISC, as tor-spec 6.3 asks of
/// originators).</para>
/// <para>Writes go to the channel's queue and are written by the channel without further action:
/// <see cref="Flush"/> has nothing to do. Zero-byte reads wait for data without consuming any (for copy
/// loops that wait before renting a buffer). One reader and one writer may work at the same time.</para>
/// </remarks>
internal sealed class TorStream : Stream, ICircuitStream
{
    /// <summary>Initial stream window and its increment (tor-spec 7.4).</summary>
    public const int WindowStart = 500;
    public const int WindowIncrement = 50;

    /// <summary>tor-spec 7.4: send a SENDME only while fewer than ten cell payloads wait to be read
    /// (counted in bytes: ten times 498).</summary>
    public const int SendmeBufferedCellLimit = 10;

    /// <summary>With XON/XOFF, what may still arrive after our XOFF on top of the XOFF limit: the exit's
    /// cells already in flight, at most a congestion window (cc_ss_max is 5000 cells). More than this is a
    /// misbehaving exit (proposal 324 4.1.3), which fails the circuit instead of growing memory.</summary>
    public const int XoffOverrunCells = 10_000;

    private readonly ICircuitStreamHost _circuit;
    private readonly object _lock = new();
    private readonly ReceiveBuffer _received;
    private readonly AsyncSignal _dataArrived = new();
    private readonly AsyncSignal _xonArrived = new();
    private readonly int _xoffLimit;    // 0: fixed stream windows
    private bool _xoffSent;             // under _lock
    private bool _xoffReceived;         // the exit asked us to stop sending (Volatile)
    private uint _advisoryKbps;
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource<ConnectedMessage> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _deliverWindow = WindowStart;
    private bool _remoteEnded;
    private TorStreamException? _readError;
    private TorStreamException? _writeError;
    private int _disposed;

    internal TorStream(ICircuitStreamHost circuit, ushort streamId, int hop, string description)
    {
        _circuit = circuit;
        StreamId = streamId;
        Hop = hop;
        Description = description;
        PackageWindow = new CreditWindow(WindowStart, WindowStart, _closed.Token, () => WriteError());
        _xoffLimit = circuit.XoffLimit;
        _received = _xoffLimit == 0
            ? new ReceiveBuffer()
            : new ReceiveBuffer(_xoffLimit + XoffOverrunCells * RelayCell.MaxDataLength);
    }

    public ushort StreamId { get; }

    /// <summary>The hop the stream ends at (the last one).</summary>
    public int Hop { get; }

    /// <summary>What the stream connects to, for messages (never logged above Debug).</summary>
    internal string Description { get; }

    /// <summary>The exit's CONNECTED answer (address and TTL; empty for BEGIN_DIR).</summary>
    public ConnectedMessage? Connected => _connected.Task.IsCompletedSuccessfully ? _connected.Task.Result : null;

    /// <summary>DATA cells this stream may still send before the exit's next SENDME.</summary>
    public CreditWindow PackageWindow { get; }

    /// <summary>DATA cells the exit may still send before our next SENDME (for tests).</summary>
    internal int DeliverWindow
    {
        get
        {
            lock (_lock)
                return _deliverWindow;
        }
    }

    /// <summary>Whether the stream uses XON/XOFF (its circuit negotiated congestion control).</summary>
    internal bool UsesXonXoff => _xoffLimit != 0;

    /// <summary>XOFF sent and no XON yet (for tests).</summary>
    internal bool XoffSent
    {
        get
        {
            lock (_lock)
                return _xoffSent;
        }
    }

    /// <summary>The exit sent XOFF and no XON yet: writes wait.</summary>
    internal bool SendingPaused => Volatile.Read(ref _xoffReceived);

    /// <summary>The exit's last advisory rate in 1000 bytes/s (0: unlimited). Advisory only: writes do not pace to it.</summary>
    internal uint AdvisoryKbps => Volatile.Read(ref _advisoryKbps);

    internal int BufferedBytes
    {
        get
        {
            lock (_lock)
                return _received.Bytes;
        }
    }

    /// <summary>One line for a state dump: buffered data, windows, how the stream ended, whether a
    /// reader is parked, and the circuit's state.</summary>
    internal string DescribeState()
    {
        lock (_lock)
            return string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"stream {StreamId}: {_received.Bytes} bytes / {_received.Cells} cells buffered, deliver window {_deliverWindow}, package window {PackageWindow.Available}, remote ended {_remoteEnded}, read error {_readError?.Kind.ToString() ?? "none"}, disposed {_disposed != 0}, reader {_dataArrived.State}; {_circuit.DescribeState()}");
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException("A Tor stream has no length.");

    public override long Position
    {
        get => throw new NotSupportedException("A Tor stream has no position.");
        set => throw new NotSupportedException("A Tor stream has no position.");
    }

    // ---------------------------------------------------------------- called by the circuit (reader loop)

    internal Task<ConnectedMessage> ConnectedTask => _connected.Task;

    Task ICircuitStream.Connected => _connected.Task;

    public bool OnConnected(ConnectedMessage message) => _connected.TrySetResult(message);

    /// <summary>DATA from the exit; false when it exceeds the stream window (the circuit then fails).</summary>
    public bool OnData(ReadOnlySpan<byte> data)
    {
        if (_xoffLimit != 0)
            return OnFlowControlledData(data);
        int sendmes;
        lock (_lock)
        {
            if (_deliverWindow <= 0)
                return false;
            _deliverWindow--;
            if (_disposed != 0)
                return true;
            _received.Add(data);
            sendmes = CollectSendmes();
        }
        _dataArrived.Set();
        SendSendmes(sendmes);
        return true;
    }

    /// <summary>DATA on a congestion-controlled circuit: buffered up to the XOFF limit plus what may be in
    /// flight; XOFF goes out when the limit is passed (proposal 324 4.1.1).</summary>
    private bool OnFlowControlledData(ReadOnlySpan<byte> data)
    {
        bool sendXoff;
        lock (_lock)
        {
            if (_disposed != 0 || _remoteEnded)
                return true;
            if (_received.Bytes + data.Length > _received.Capacity)
                return false;
            _received.Add(data);
            sendXoff = !_xoffSent && _received.Bytes > _xoffLimit;
            if (sendXoff)
            {
                _xoffSent = true;
            }
        }
        _dataArrived.Set();
        if (sendXoff)
            _circuit.SendStreamControl(this, XoffMessage.Instance);
        return true;
    }

    /// <summary>The exit's XOFF: writes wait for its XON.</summary>
    public void OnXoff() => Volatile.Write(ref _xoffReceived, true);

    /// <summary>The exit's XON: writes go on.</summary>
    public void OnXon(XonMessage xon)
    {
        Volatile.Write(ref _advisoryKbps, xon.KbpsEwma);
        Volatile.Write(ref _xoffReceived, false);
        _xonArrived.Set();
    }

    /// <summary>A stream SENDME from the exit; false when it would raise the window above its start.</summary>
    public bool OnSendme() => PackageWindow.TryGrant(WindowIncrement);

    public void OnEnd(EndMessage end)
    {
        var error = TorStreamException.FromEnd(end, $"Stream {StreamId} to {Description}");
        lock (_lock)
        {
            _remoteEnded = true;
            if (end.Reason != EndReason.Done)
                _readError ??= error;
            _writeError ??= end.Reason == EndReason.Done
                ? new TorStreamException(TorStreamErrorKind.Closed, $"Stream {StreamId} to {Description} was closed by the exit (REASON_DONE).", null, end.Reason)
                : error;
        }
        _connected.TrySetException(error);
        Shutdown();
    }

    public void OnCircuitClosed(CircuitException reason)
    {
        var error = new TorStreamException(TorStreamErrorKind.Destroyed, $"Stream {StreamId} to {Description} failed: {reason.Message}", reason);
        lock (_lock)
        {
            if (!_remoteEnded)
                _readError ??= error;
            _writeError ??= error;
        }
        _connected.TrySetException(error);
        Shutdown();
    }

    /// <summary>The exit broke the protocol on this stream; the circuit already sent END (REASON_TORPROTOCOL).</summary>
    public void OnProtocolViolation(CircuitException reason)
    {
        var error = new TorStreamException(TorStreamErrorKind.TorProtocol, $"Stream {StreamId} to {Description} failed: {reason.Message}", reason, EndReason.TorProtocol);
        lock (_lock)
        {
            _remoteEnded = true;
            _readError ??= error;
            _writeError ??= error;
        }
        _connected.TrySetException(error);
        Shutdown();
    }

    /// <summary>Fails the opening (timeout, cancellation) without an answer from the exit.</summary>
    internal void OnOpenFailed(TorStreamException error)
    {
        lock (_lock)
        {
            _readError ??= error;
            _writeError ??= error;
        }
        _connected.TrySetException(error);
        Shutdown();
    }

    private void Shutdown()
    {
        _dataArrived.Set();
        _xonArrived.Set();
        try
        {
            _closed.Cancel();
        }
        catch (AggregateException)
        {
            // A waiter's callback failed; the stream is closing regardless.
        }
    }

    /// <summary>The local application reached EOF: send END after the data already queued (tor-spec 6.3;
    /// there is no half-close). Data already buffered is still read; then reads return 0, and what
    /// the exit sends after our END is dropped by the circuit. Safe to call more than once.</summary>
    internal void EndLocally()
    {
        int allowance;
        lock (_lock)
        {
            if (_disposed != 0 || _remoteEnded)
                return;
            _remoteEnded = true;
            _writeError ??= new TorStreamException(TorStreamErrorKind.Closed, $"Stream {StreamId} to {Description} was ended locally.");
            allowance = _xoffLimit == 0 ? _deliverWindow : int.MaxValue;
        }
        _connected.TrySetException(WriteError());
        _ = _connected.Task.Exception;
        _circuit.OnStreamDisposed(this, allowance);
        Shutdown();
    }

    // ---------------------------------------------------------------- reading

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // The common case (data or the end already there) completes without an async state machine.
        try
        {
            if (TryReadNow(buffer.Span, out var read))
                return new ValueTask<int>(read);
        }
        catch (Exception e)
        {
            return ValueTask.FromException<int>(e);
        }
        return cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<int>(cancellationToken)
            : ReadSlowAsync(buffer, cancellationToken);
    }

    private async ValueTask<int> ReadSlowAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            await _dataArrived.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (TryReadNow(buffer.Span, out var read))
                return read;
        }
    }

    /// <summary>Reads what is buffered, or reports the end (0) or the stream's error; false when the caller
    /// must wait for data. A zero-byte read only reports that data (or the end) is there.</summary>
    private bool TryReadNow(Span<byte> buffer, out int read)
    {
        int sendmes;
        bool sendXon;
        uint xonRate;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            if (_received.Cells == 0)
            {
                if (_readError is { } error)
                    throw error;
                read = 0;
                return _remoteEnded;
            }
            if (buffer.IsEmpty)
            {
                read = 0;
                return true;
            }
            read = _received.Read(buffer);
            sendmes = CollectSendmes();
            // XON once the reader has taken everything (proposal 324 4.1.1): between an XON and the next
            // XOFF the exit then sends at least a whole XOFF limit, as its side-channel checks expect.
            sendXon = _xoffSent && _received.Bytes == 0 && !_remoteEnded;
            if (sendXon)
                _xoffSent = false;
            // The XON's advisory rate is 0, "unlimited" (proposal 324 4.1): the rate is only advice, and a single
            // figure measured once from XOFF to XON, never raised again while the buffer stays empty (4.1.2 doubles
            // it then), capped the exit below what the reader could take: bulk fell run by run on one circuit
            // (side-by-side: 7.7 -> 3.8 MB/s over four fetches; with 0, flat). XOFF alone bounds the buffer.
            xonRate = 0;
        }
        SendSendmes(sendmes);
        if (sendXon)
            _circuit.SendStreamControl(this, new XonMessage(xonRate));
        return true;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            var n = ReadAsync(rented.AsMemory(0, buffer.Length)).AsTask().GetAwaiter().GetResult();
            rented.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>How many stream SENDMEs to send now (tor-spec 7.4): while the window is at most
    /// 500 - 50 and fewer than ten cells wait to be read. Caller holds the lock.</summary>
    private int CollectSendmes()
    {
        var n = 0;
        while (_xoffLimit == 0 && _deliverWindow <= WindowStart - WindowIncrement && _received.Cells < SendmeBufferedCellLimit && !_remoteEnded && _disposed == 0)
        {
            _deliverWindow += WindowIncrement;
            n++;
        }
        return n;
    }

    private void SendSendmes(int count)
    {
        for (var i = 0; i < count; i++)
            _circuit.SendStreamSendme(this);
    }

    // ---------------------------------------------------------------- writing

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Cells go out synchronously while the windows and the channel queue have room.
        try
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            while (!buffer.IsEmpty)
            {
                if (WriteErrorOrNull() is { } error)
                    throw error;
                if (Volatile.Read(ref _xoffReceived))
                    return WriteSlowAsync(ValueTask.CompletedTask, buffer, cancellationToken);
                var n = Math.Min(buffer.Length, RelayCell.MaxDataLength);
                var sending = _circuit.SendDataAsync(this, buffer[..n], cancellationToken);
                buffer = buffer[n..];
                if (!sending.IsCompletedSuccessfully)
                    return WriteSlowAsync(sending, buffer, cancellationToken);
            }
            return ValueTask.CompletedTask;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    private async ValueTask WriteSlowAsync(ValueTask sending, ReadOnlyMemory<byte> rest, CancellationToken cancellationToken)
    {
        await sending.ConfigureAwait(false);
        while (!rest.IsEmpty)
        {
            while (Volatile.Read(ref _xoffReceived) && WriteErrorOrNull() is null)
                await _xonArrived.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (WriteErrorOrNull() is { } error)
                throw error;
            var n = Math.Min(rest.Length, RelayCell.MaxDataLength);
            await _circuit.SendDataAsync(this, rest[..n], cancellationToken).ConfigureAwait(false);
            rest = rest[n..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(ReadOnlySpan<byte> buffer) => Write(buffer.ToArray(), 0, buffer.Length);

    /// <summary>Nothing to do: cells are handed to the channel as they are written.</summary>
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken) : Task.CompletedTask;

    private TorStreamException? WriteErrorOrNull()
    {
        lock (_lock)
            return _writeError;
    }

    /// <summary>The error a writer sees once the stream cannot take more data.</summary>
    internal TorStreamException WriteError() =>
        WriteErrorOrNull() ?? new TorStreamException(TorStreamErrorKind.Closed, $"Stream {StreamId} to {Description} is closed.");

    /// <summary>A circuit or channel failure seen while writing, as this stream's error.</summary>
    Exception ICircuitStream.WriteError(Exception cause) => WriteError(cause);

    internal TorStreamException WriteError(Exception cause) => cause switch
    {
        TorStreamException s => s,
        _ => WriteErrorOrNull() ?? new TorStreamException(TorStreamErrorKind.Destroyed, $"Stream {StreamId} to {Description} failed: {cause.Message}", cause),
    };

    // ---------------------------------------------------------------- closing

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A Tor stream cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("A Tor stream has no length.");

    /// <summary>Sends END (unless the stream already ended) and frees the buffered data.</summary>
    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        int allowance;
        lock (_lock)
        {
            _received.Clear();
            _writeError ??= new TorStreamException(TorStreamErrorKind.Closed, $"Stream {StreamId} to {Description} was closed locally.");
            allowance = _xoffLimit == 0 ? _deliverWindow : int.MaxValue;
        }
        _connected.TrySetException(WriteError());
        _ = _connected.Task.Exception; // observed: nobody may be waiting any more
        _circuit.OnStreamDisposed(this, allowance);
        Shutdown();
        base.Dispose(disposing);
    }
}
