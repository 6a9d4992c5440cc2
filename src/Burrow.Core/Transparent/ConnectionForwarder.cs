using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Burrow.Core.Dns;
using Burrow.Core.Flows;
using Burrow.Core.Net;
using Burrow.Core.Networks;
using Burrow.Core.Recovery;
using Burrow.Core.Upstreams;
using Burrow.Tor.Client;
using Microsoft.Extensions.Logging;

namespace Burrow.Core.Transparent;

/// <summary>
/// The per-connection pipeline of a network: an accepted socket -> its original destination ->
/// a flow -> an upstream stream -> the duplex copy -> the flow closed. The listener only accepts
/// and hands sockets to <see cref="Dispatch"/>; each connection then runs here on its own, so a
/// slow one never holds up the accept loop. Stopping cancels every connection and ends their flows.
/// </summary>
internal sealed partial class ConnectionForwarder : INetworkPart
{
    /// <summary>How long stopping waits for connections to notice the cancellation before it ends their
    /// flows anyway. A safety bound on the real clock: a test's manual clock must not make stopping hang.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    private readonly string _network;
    private readonly ITorConnector _connector;
    private readonly IOriginalDestinationResolver _resolver;
    private readonly FlowTable _flows;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly VirtualAddressMap? _addressMap;
    private readonly IsolationPolicy _isolation;
    private readonly long? _invocation;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private long _connectionSeq;
    private int _active;

    /// <param name="addressMap">the DNS listener's virtual addresses (null without one): a connection to one is opened by host name</param>
    /// <param name="isolation">what stream isolation keys are made of (default: client and destination address)</param>
    /// <param name="invocation">an Invoke-BurrowCommand invocation: its flows carry the id, and stopping ends only those</param>
    public ConnectionForwarder(string network, ITorConnector connector, IOriginalDestinationResolver resolver, FlowTable flows,
        ILogger logger, TimeProvider time, VirtualAddressMap? addressMap = null, IsolationPolicy? isolation = null, long? invocation = null)
    {
        _invocation = invocation;
        _addressMap = addressMap;
        _isolation = isolation ?? IsolationPolicy.Default;
        _network = network;
        _connector = connector;
        _resolver = resolver;
        _flows = flows;
        _logger = logger;
        _time = time;
    }

    public string Name => "forwarder";

    /// <summary>No byte in either direction for this long ends a flow.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Connections beyond this many live flows are refused (memory stays bounded).</summary>
    public int MaxFlows { get; set; } = 10_000;

    public Task StartAsync(IProgress<UpstreamProgress>? progress, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Takes an accepted connection: forwards it on the thread pool and tracks it until it ends.</summary>
    public void Dispatch(Socket client)
    {
        var id = Interlocked.Increment(ref _connectionSeq);
        var task = Task.Run(() => ForwardAsync(client));
        _connections[id] = task;
        _ = task.ContinueWith(_ => _connections.TryRemove(id, out var _), TaskScheduler.Default);
    }

    /// <summary>Cancels every connection, waits (bounded) for them, and ends the flows still live.</summary>
    public async ValueTask StopAsync()
    {
        _stopping.Cancel();
        var pending = _connections.Values.ToArray();
        if (pending.Length > 0)
        {
            try { await Task.WhenAll(pending).WaitAsync(DrainTimeout).ConfigureAwait(false); }
            catch (TimeoutException) { }
        }
        // An invocation's forwarder shares the network's table: it ends its own flows only.
        foreach (var flow in _flows.Live)
            if (_invocation is null || flow.Invocation == _invocation)
                _flows.End(flow, FlowEnd.NetworkStopped());
    }

    /// <summary>
    /// Opens the upstream stream while taking what the client already sends (an HTTP request, a TLS
    /// ClientHello) into <see cref="OptimisticData"/>: the in-process client sends it right after BEGIN
    /// instead of one circuit round trip later. Nothing waits for the client: a protocol where the server
    /// speaks first costs nothing. At most <see cref="OptimisticData.DefaultCapacity"/> bytes are taken
    /// early; the rest stays in the socket for the copy. Bytes read as the stream opened are written first.
    /// </summary>
    private async Task<UpstreamConnection> ConnectWithEarlyDataAsync(Socket client, IPEndPoint destination, string? hostname, string key,
        Flow flow, CancellationToken cancellationToken)
    {
        var early = new OptimisticData();
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = ReadEarlyAsync(client, early, stopReading.Token);
        UpstreamConnection upstream;
        try
        {
            upstream = await _connector.ConnectAsync(destination, hostname, key, early, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            stopReading.Cancel();
        }
        var late = await reading.ConfigureAwait(false);
        try
        {
            if (late is not null)
                await upstream.Stream.WriteAsync(late, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await upstream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var sent = early.Length + (late?.Length ?? 0);
        if (sent > 0)
        {
            flow.AddUp(sent);
            LogOptimistic(flow.Id, early.Length);
        }
        return upstream;
    }

    /// <summary>Appends what the client sends to <paramref name="early"/> until it is full, sealed, at EOF or
    /// stopped. Returns bytes read that could no longer be appended (the stream opened meanwhile), else null.
    /// Never fails: a client error shows again in the copy.</summary>
    private static async Task<byte[]?> ReadEarlyAsync(Socket client, OptimisticData early, CancellationToken cancellationToken)
    {
        try
        {
            while (early.Free > 0)
            {
                await client.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                var available = Math.Min(client.Available, early.Free);
                if (available == 0)
                    return null; // EOF (or the stream was sealed): the copy sees it
                var chunk = new byte[available];
                var n = client.Receive(chunk, SocketFlags.None);
                if (n == 0)
                    return null;
                if (!early.TryAppend(chunk.AsSpan(0, n)))
                    return chunk[..n];
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        return null;
    }

    private async Task ForwardAsync(Socket client)
    {
        var ct = _stopping.Token;
        var source = client.RemoteEndPoint is IPEndPoint remote ? EndPoints.Unmap(remote) : new IPEndPoint(IPAddress.None, 0);
        var listener = (IPEndPoint)client.LocalEndPoint!;
        RecoveryResult recovery;
        try
        {
            recovery = await _resolver.ResolveAsync(client, ct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            recovery = RecoveryResult.Failed(_resolver.Method, e.Message);
        }

        if (ProbeRegistry.TryObserve(source, _network, listener, recovery))
        {
            // Test-BurrowRedirect's probe: seen, answered by closing, never forwarded.
            client.Dispose();
            return;
        }

        var flow = _flows.Add(source);
        if (_invocation is { } invocation)
            flow.SetInvocation(invocation);
        flow.SetDestination(recovery.Destination, recovery.Method);
        if (recovery.Status != RecoveryStatus.Found)
        {
            LogRefused(flow.Id, recovery.Reason ?? recovery.Status.ToString());
            Reset(client);
            _flows.End(flow, recovery.Status == RecoveryStatus.NotRedirected ? FlowEnd.NotRedirected(recovery.Reason) : FlowEnd.RecoveryFailed(recovery.Reason));
            return;
        }
        var destination = recovery.Destination!;
        string? hostname = null;
        if (_addressMap is not null && _addressMap.IsVirtualAddress(destination.Address))
        {
            if (!_addressMap.TryGetHostname(destination.Address, out var name))
            {
                LogRefused(flow.Id, "a virtual address that stands for no name");
                Reset(client);
                _flows.End(flow, FlowEnd.VirtualAddressUnmapped(EndPoints.Unmap(destination.Address)));
                return;
            }
            flow.SetHostname(name);
            if (DnsName.IsOnion(name) && _connector.SupportsOnionServices && !Burrow.Tor.Client.TorClient.IsValidOnionAddress(name, out var onionError))
            {
                LogRefused(flow.Id, onionError);
                Reset(client);
                _flows.End(flow, FlowEnd.OnionAddressInvalid(name, onionError));
                return;
            }
            if (DnsName.IsOnion(name) && !_connector.SupportsOnionServices)
            {
                LogRefused(flow.Id, "onion services are not supported yet");
                Reset(client);
                _flows.End(flow, FlowEnd.OnionServiceUnsupported(name));
                return;
            }
            hostname = name;
        }
        if (Interlocked.Increment(ref _active) > MaxFlows)
        {
            Interlocked.Decrement(ref _active);
            Reset(client);
            _flows.End(flow, FlowEnd.TooManyFlows(MaxFlows));
            return;
        }
        // Stop-BurrowFlow cancels this one flow; a network stop cancels them all.
        using var closer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        flow.AttachCloser(closer);
        try
        {
            client.NoDelay = true;
            LogConnecting(flow.Id, destination);
            UpstreamConnection upstream;
            var key = hostname is null
                ? _isolation.StreamKey(source.Address, EndPoints.Unmap(destination.Address).ToString(), destination.Port)
                : _isolation.StreamKey(source.Address, hostname, destination.Port);
            try
            {
                upstream = await ConnectWithEarlyDataAsync(client, destination, hostname, key, flow, closer.Token).ConfigureAwait(false);
            }
            catch (UpstreamException e)
            {
                LogUpstreamFailed(flow.Id, e.Kind, e.Message);
                Reset(client);
                _flows.End(flow, FlowEnd.UpstreamConnectFailed(e));
                return;
            }
            catch (OperationCanceledException)
            {
                Reset(client);
                _flows.End(flow, flow.CloseRequested ? FlowEnd.ClosedByAdmin() : FlowEnd.NetworkStopped());
                return;
            }
            await using (upstream.ConfigureAwait(false))
            {
                flow.SetCircuit(upstream.Circuit, upstream.CircuitId);
                _flows.Opened(flow);
                var end = await DuplexCopy.RunAsync(client, upstream, flow, IdleTimeout, _time, closer.Token).ConfigureAwait(false);
                if (flow.CloseRequested && end.Kind == FlowEndKind.NetworkStopped)
                    end = FlowEnd.ClosedByAdmin();
                if (end.Graceful)
                {
                    client.Dispose();
                }
                else
                {
                    upstream.Abort();
                    Reset(client);
                }
                _flows.End(flow, end);
                LogClosed(flow.Id, flow.BytesUp, flow.BytesDown, end.Error ?? end.Reason);
            }
        }
        catch (Exception e)
        {
            // Never let one connection take the network down.
            Reset(client);
            _flows.End(flow, FlowEnd.Internal(e.Message));
            LogInternalError(flow.Id, e.ToString());
        }
        finally
        {
            flow.DetachCloser();
            Interlocked.Decrement(ref _active);
        }
    }

    /// <summary>Closes with RST so the client sees a failed connection, not a clean empty answer.</summary>
    private static void Reset(Socket socket)
    {
        try { socket.LingerState = new LingerOption(true, 0); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        socket.Dispose();
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Flow {Id}: refused, never forwarded: {Reason}")]
    private partial void LogRefused(long id, string reason);

    // Destinations are user activity: Debug only.
    [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "Flow {Id}: connecting to {Destination}")]
    private partial void LogConnecting(long id, IPEndPoint destination);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Flow {Id}: the upstream could not connect ({Kind}); client reset")]
    private partial void LogUpstreamFailedCore(long id, UpstreamErrorKind kind);

    private void LogUpstreamFailed(long id, UpstreamErrorKind kind, string detail)
    {
        LogUpstreamFailedCore(id, kind);
        LogUpstreamDetail(id, detail);
    }

    [LoggerMessage(EventId = 13, Level = LogLevel.Debug, Message = "Flow {Id}: upstream said: {Detail}")]
    private partial void LogUpstreamDetail(long id, string detail);

    [LoggerMessage(EventId = 14, Level = LogLevel.Debug, Message = "Flow {Id}: closed, {Up} bytes up, {Down} bytes down ({Detail})")]
    private partial void LogClosed(long id, long up, long down, string detail);

    [LoggerMessage(EventId = 15, Level = LogLevel.Error, Message = "Flow {Id}: internal error: {Detail}")]
    private partial void LogInternalError(long id, string detail);

    [LoggerMessage(EventId = 16, Level = LogLevel.Debug, Message = "Flow {Id}: {Bytes} bytes sent before the stream was open (optimistic data)")]
    private partial void LogOptimistic(long id, int bytes);
}
