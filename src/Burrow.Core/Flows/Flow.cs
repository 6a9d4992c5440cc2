using System.Net;

namespace Burrow.Core.Flows;

/// <summary>
/// One redirected connection. Mutable and thread-safe: the copy loop adds bytes, the listener moves
/// the state; readers take an immutable <see cref="FlowInfo"/> snapshot.
/// </summary>
public sealed class Flow
{
    private long _bytesUp;
    private long _bytesDown;
    private readonly object _gate = new();
    private FlowState _state;
    private DateTimeOffset? _end;
    private FlowEnd? _ended;
    private string? _circuit;
    private IPEndPoint? _destination;
    private string? _method;
    private long? _circuitId;
    private CancellationTokenSource? _closer;
    private volatile bool _closeRequested;
    private string? _hostname;
    private long? _invocation;

    internal Flow(long id, string network, IPEndPoint source, DateTimeOffset start)
    {
        Id = id;
        Network = network;
        Source = source;
        Start = start;
        _state = FlowState.Connecting;
    }

    public long Id { get; }
    public string Network { get; }
    public IPEndPoint Source { get; }
    public DateTimeOffset Start { get; }
    public FlowState State { get { lock (_gate) return _state; } }
    public long BytesUp => Interlocked.Read(ref _bytesUp);
    public long BytesDown => Interlocked.Read(ref _bytesDown);

    internal void AddUp(long n) => Interlocked.Add(ref _bytesUp, n);
    internal void AddDown(long n) => Interlocked.Add(ref _bytesDown, n);

    internal void SetDestination(IPEndPoint? destination, string method)
    {
        lock (_gate) { _destination = destination; _method = method; }
    }

    /// <summary>The host name behind a virtual destination address (the stream was opened by name).</summary>
    internal void SetHostname(string hostname)
    {
        lock (_gate) _hostname = hostname;
    }

    /// <summary>The Invoke-BurrowCommand invocation whose command opened the connection (null for the network's own listener).</summary>
    internal void SetInvocation(long invocation)
    {
        lock (_gate) _invocation = invocation;
    }

    public long? Invocation { get { lock (_gate) return _invocation; } }

    internal void SetCircuit(string? circuit, long? circuitId = null)
    {
        lock (_gate) { _circuit = circuit; _circuitId = circuitId; }
    }

    /// <summary>Whether Stop-BurrowFlow asked for it to close.</summary>
    internal bool CloseRequested => _closeRequested;

    /// <summary>What <see cref="RequestClose"/> cancels: the flow's connect and copy.</summary>
    internal void AttachCloser(CancellationTokenSource closer)
    {
        lock (_gate) _closer = closer;
    }

    internal void DetachCloser()
    {
        lock (_gate) _closer = null;
    }

    /// <summary>Ends a live flow on request (the client is reset); false when it already ended.</summary>
    internal bool RequestClose()
    {
        lock (_gate)
        {
            if (_end != null) return false;
            _closeRequested = true;
            try { _closer?.Cancel(); }
            catch (ObjectDisposedException) { }
            return true;
        }
    }

    internal void MarkOpen()
    {
        lock (_gate) if (_state == FlowState.Connecting) _state = FlowState.Open;
    }

    /// <summary>Ends the flow once; later calls are ignored so the first reason wins.</summary>
    internal bool End(FlowEnd end, DateTimeOffset when)
    {
        lock (_gate)
        {
            if (_end != null) return false;
            _state = end.State;
            _end = when;
            _ended = end;
            return true;
        }
    }

    public FlowInfo Snapshot(DateTimeOffset now)
    {
        lock (_gate)
            return new FlowInfo(Id, Network, Source, _destination, _method, _state, BytesUp, BytesDown,
                Start, _end, (_end ?? now) - Start, _ended?.Reason, _ended?.Error, _circuit, _ended?.Kind, _ended?.UpstreamError, _circuitId, _hostname, _invocation);
    }
}
