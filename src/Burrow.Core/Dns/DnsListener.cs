using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Core.Dns;

/// <summary>
/// The DNS server that captured port-53 queries reach: UDP and TCP (RFC 7766: length framing,
/// pipelined queries answered as they finish, an idle timeout, a cap on connections) on each
/// configured endpoint. What it answers is <see cref="DnsQueryHandler"/>'s business; this class
/// keeps serving whatever a client sends.
/// </summary>
internal sealed class DnsListener : IAsyncDisposable
{
    private readonly DnsListenerOptions _options;
    private readonly DnsQueryHandler _handler;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _loops = [];
    private readonly ConcurrentDictionary<long, Task> _work = new();
    private readonly List<IPEndPoint> _endpoints = [];
    private long _workIds;
    private int _tcpConnections;
    private int _state; // 0 new, 1 started, 2 stopped

    private long _queries;
    private long _answered;
    private long _automapped;
    private long _notFound;
    private long _refused;
    private long _privateRefused;
    private long _failed;
    private long _malformed;

    /// <param name="isolationKey">
    /// The isolation key for an upstream lookup from a client for a name (the caller's stream-isolation
    /// policy): lookups with different keys never share a circuit.
    /// </param>
    public DnsListener(
        DnsListenerOptions options,
        VirtualAddressMap addressMap,
        IDnsResolver resolver,
        Func<IPEndPoint, string, string> isolationKey,
        ILogger? logger = null,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(addressMap);
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(isolationKey);
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        AddressMap = addressMap;
        _handler = new DnsQueryHandler(options, addressMap, resolver, isolationKey, _logger, time ?? TimeProvider.System);
    }

    /// <summary>Every query handled (name, client, outcome); raised on the thread that handled it, so keep handlers quick.</summary>
    public event Action<DnsQueryRecord>? QueryHandled;

    /// <summary>The names this listener maps to virtual addresses; the forwarder asks it for the host name behind one.</summary>
    public VirtualAddressMap AddressMap { get; }

    /// <summary>The endpoints actually bound (ports filled in), each for UDP and TCP; empty before start.</summary>
    public IReadOnlyList<IPEndPoint> Endpoints
    {
        get
        {
            lock (_endpoints)
            {
                return [.. _endpoints];
            }
        }
    }

    public DnsCounters Counters => new(
        Interlocked.Read(ref _queries),
        Interlocked.Read(ref _answered),
        Interlocked.Read(ref _automapped),
        Interlocked.Read(ref _notFound),
        Interlocked.Read(ref _refused),
        Interlocked.Read(ref _privateRefused),
        Interlocked.Read(ref _failed),
        Interlocked.Read(ref _malformed));

    /// <summary>Upstream lookups in progress now.</summary>
    public int LookupsInProgress => _handler.LookupsInProgress;

    /// <summary>
    /// Registers a name answered locally (A: <paramref name="v4"/>, default 192.0.2.1; AAAA: <paramref name="v6"/>,
    /// default 2001:db8::1; TTL 0), never looked up upstream; its probe reports the first query. Dispose to unregister.
    /// </summary>
    public DnsProbe RegisterProbe(string name, IPAddress? v4 = null, IPAddress? v6 = null) => _handler.RegisterProbe(name, v4, v6);

    /// <summary>Binds every endpoint (UDP and TCP) and starts serving; throws <see cref="DnsListenerException"/> when one cannot be bound.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
            throw new InvalidOperationException("the DNS listener was already started");
        var bound = new List<(Socket Tcp, Socket Udp, IPEndPoint Endpoint)>();
        try
        {
            foreach (var endpoint in _options.Endpoints)
            {
                // Port 0 after the first endpoint means "the port the first one got": one DNS port on every address.
                var requested = endpoint.Port == 0 && bound.Count > 0 ? new IPEndPoint(endpoint.Address, bound[0].Endpoint.Port) : endpoint;
                bound.Add(Bind(requested));
            }
        }
        catch
        {
            // Nothing is served until every endpoint is bound, so a failed start leaves nothing behind.
            foreach (var (tcp, udp, _) in bound)
            {
                tcp.Dispose();
                udp.Dispose();
            }

            throw;
        }

        foreach (var (tcp, udp, endpoint) in bound)
        {
            _sockets.Add(tcp);
            _sockets.Add(udp);
            lock (_endpoints)
            {
                _endpoints.Add(endpoint);
            }

            _loops.Add(Task.Run(() => AcceptLoopAsync(tcp, endpoint)));
            _loops.Add(Task.Run(() => ReceiveLoopAsync(udp, endpoint)));
        }

        DnsLog.Started(_logger, string.Join(", ", Endpoints));
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
            return;
        // Loops and work exist only after a successful start; cancelling first lets each end quietly.
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var socket in _sockets)
            socket.Dispose();
        await Task.WhenAll(_loops).ConfigureAwait(false);
        await Task.WhenAll(_work.Values).ConfigureAwait(false);
        _stopping.Dispose();
        DnsLog.Stopped(_logger);
    }

    private (Socket Tcp, Socket Udp, IPEndPoint Endpoint) Bind(IPEndPoint requested)
    {
        // Port 0: TCP picks the port, UDP takes the same one (a DNS server is one port for both); retry if UDP's is taken.
        for (var attempt = 0; ; attempt++)
        {
            var tcp = NewSocket(requested, SocketType.Stream, ProtocolType.Tcp);
            Socket? udp = null;
            try
            {
                BindOrThrow(tcp, requested, "TCP");
                tcp.Listen(128);
                var bound = (IPEndPoint)tcp.LocalEndPoint!;
                udp = NewSocket(requested, SocketType.Dgram, ProtocolType.Udp);
                try
                {
                    BindOrThrow(udp, bound, "UDP");
                }
                catch (DnsListenerException) when (requested.Port == 0 && attempt < 8)
                {
                    udp.Dispose();
                    tcp.Dispose();
                    continue;
                }

                return (tcp, udp, bound);
            }
            catch
            {
                udp?.Dispose();
                tcp.Dispose();
                throw;
            }
        }
    }

    private Socket NewSocket(IPEndPoint endpoint, SocketType type, ProtocolType protocol)
    {
        var socket = _options.SocketFactory?.Invoke(endpoint.AddressFamily, type, protocol) ?? new Socket(endpoint.AddressFamily, type, protocol);
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
            socket.DualMode = false; // [::1]:53 and 127.0.0.1:53 are separate endpoints
        return socket;
    }

    private static void BindOrThrow(Socket socket, IPEndPoint endpoint, string protocol)
    {
        try
        {
            socket.Bind(endpoint);
        }
        catch (SocketException ex)
        {
            var why = ex.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "the address is already in use (another DNS server, e.g. systemd-resolved or dnsmasq?)",
                SocketError.AddressNotAvailable => "the address is not on this host",
                SocketError.AccessDenied => "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)",
                _ => ex.Message,
            };
            throw new DnsListenerException(endpoint, $"cannot listen for DNS over {protocol} on {endpoint}: {why}", ex);
        }
    }

    private async Task ReceiveLoopAsync(Socket socket, IPEndPoint local)
    {
        var token = _stopping.Token;
        var buffer = GC.AllocateUninitializedArray<byte>(ushort.MaxValue);
        EndPoint any = local.AddressFamily == AddressFamily.InterNetwork ? new IPEndPoint(IPAddress.Any, 0) : new IPEndPoint(IPAddress.IPv6Any, 0);
        while (!token.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, token).ConfigureAwait(false);
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                // ICMP errors surfacing on the socket and similar: one client's problem, not the listener's.
                DnsLog.ReceiveFailed(_logger, local, ex);
                continue;
            }

            var client = (IPEndPoint)received.RemoteEndPoint;
            var datagram = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            Track(ServeDatagramAsync(socket, datagram, client, token));
        }
    }

    private async Task ServeDatagramAsync(Socket socket, byte[] datagram, IPEndPoint client, CancellationToken token)
    {
        var response = await HandleAsync(datagram, client, DnsTransport.Udp, token).ConfigureAwait(false);
        if (response is null)
            return;
        try
        {
            await socket.SendToAsync(response, SocketFlags.None, client, token).ConfigureAwait(false);
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
        }
        catch (SocketException ex)
        {
            DnsLog.ConnectionClosed(_logger, client, $"UDP send failed: {ex.SocketErrorCode}");
        }
    }

    private async Task AcceptLoopAsync(Socket listener, IPEndPoint local)
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                // A connection reset while still in the backlog: the next one is fine.
                DnsLog.AcceptFailed(_logger, local, ex);
                continue;
            }

            if (Interlocked.Increment(ref _tcpConnections) > _options.MaxTcpConnections)
            {
                Interlocked.Decrement(ref _tcpConnections);
                DnsLog.ConnectionRefused(_logger, _options.MaxTcpConnections);
                connection.Dispose();
                continue;
            }

            Track(ServeConnectionAsync(connection, token));
        }
    }

    private async Task ServeConnectionAsync(Socket socket, CancellationToken token)
    {
        var client = socket.RemoteEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0);
        var reason = "the client closed it";
        using var writeLock = new SemaphoreSlim(1, 1);
        using var inFlight = new SemaphoreSlim(_options.MaxQueriesPerTcpConnection, _options.MaxQueriesPerTcpConnection);
        var pending = new List<Task>();
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(token);
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            var prefix = new byte[2];
            while (true)
            {
                // Backpressure: a client with many answers outstanding is not read until some are written.
                await inFlight.WaitAsync(token).ConfigureAwait(false);
                idle.CancelAfter(_options.TcpIdleTimeout);
                if (!await ReadFrameAsync(stream, prefix, idle.Token).ConfigureAwait(false))
                {
                    inFlight.Release();
                    break;
                }

                var length = BinaryPrimitives.ReadUInt16BigEndian(prefix);
                if (length == 0)
                {
                    reason = "a zero-length message";
                    inFlight.Release();
                    break;
                }

                var message = new byte[length];
                if (!await ReadFrameAsync(stream, message, idle.Token).ConfigureAwait(false))
                {
                    reason = "it closed in the middle of a message";
                    inFlight.Release();
                    break;
                }

                idle.CancelAfter(Timeout.InfiniteTimeSpan);
                pending.RemoveAll(t => t.IsCompleted);
                pending.Add(AnswerOnConnectionAsync(stream, message, client, writeLock, inFlight, token));
            }
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            reason = $"idle for {_options.TcpIdleTimeout.TotalSeconds:0.#} s";
        }
        catch (OperationCanceledException)
        {
            reason = "the listener is stopping";
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            reason = ex.Message;
        }
        finally
        {
            // Answers already being worked on are still written (RFC 7766 section 6.2.1.1 lets the server close after them).
            await Task.WhenAll(pending).ConfigureAwait(false);
            Interlocked.Decrement(ref _tcpConnections);
            DnsLog.ConnectionClosed(_logger, client, reason);
        }
    }

    private async Task AnswerOnConnectionAsync(
        NetworkStream stream, byte[] message, IPEndPoint client, SemaphoreSlim writeLock, SemaphoreSlim inFlight, CancellationToken token)
    {
        try
        {
            var response = await HandleAsync(message, client, DnsTransport.Tcp, token).ConfigureAwait(false);
            if (response is null)
                return;
            var frame = new byte[2 + response.Length];
            BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)response.Length);
            response.CopyTo(frame, 2);
            await writeLock.WaitAsync(token).ConfigureAwait(false);
            try
            {
                await stream.WriteAsync(frame, token).ConfigureAwait(false);
            }
            finally
            {
                writeLock.Release();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The client went away or the listener is stopping: nothing to answer to.
        }
        finally
        {
            inFlight.Release();
        }
    }

    private static async ValueTask<bool> ReadFrameAsync(NetworkStream stream, byte[] buffer, CancellationToken token)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), token).ConfigureAwait(false);
            if (n == 0)
                return false;
            read += n;
        }

        return true;
    }

    private async ValueTask<byte[]?> HandleAsync(byte[] message, IPEndPoint client, DnsTransport transport, CancellationToken token)
    {
        Interlocked.Increment(ref _queries);
        byte[]? response;
        DnsQueryRecord record;
        try
        {
            (response, record) = await _handler.HandleAsync(message, client, transport, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception ex)
        {
            // A bug must cost one answer, never the listener.
            DnsLog.HandlerFailed(_logger, ex);
            Interlocked.Increment(ref _failed);
            return null;
        }

        Count(record.Outcome);
        DnsLog.Query(_logger, transport, client, record.QueryType, record.Name, record.Outcome, record.Detail);
        if (QueryHandled is { } handlers)
        {
            try
            {
                handlers(record);
            }
            catch (Exception ex)
            {
                DnsLog.SubscriberThrew(_logger, ex);
            }
        }

        return response;
    }

    private void Count(DnsQueryOutcome outcome)
    {
        switch (outcome)
        {
            case DnsQueryOutcome.Answered or DnsQueryOutcome.Reverse or DnsQueryOutcome.Probe:
                Interlocked.Increment(ref _answered);
                break;
            case DnsQueryOutcome.Automapped:
                Interlocked.Increment(ref _answered);
                Interlocked.Increment(ref _automapped);
                break;
            case DnsQueryOutcome.NotFound:
                Interlocked.Increment(ref _notFound);
                break;
            case DnsQueryOutcome.Refused or DnsQueryOutcome.NotImplemented:
                Interlocked.Increment(ref _refused);
                break;
            case DnsQueryOutcome.PrivateAnswerRefused:
                Interlocked.Increment(ref _refused);
                Interlocked.Increment(ref _privateRefused);
                break;
            case DnsQueryOutcome.Failed or DnsQueryOutcome.Overloaded:
                Interlocked.Increment(ref _failed);
                break;
            case DnsQueryOutcome.Malformed or DnsQueryOutcome.Dropped:
                Interlocked.Increment(ref _malformed);
                break;
        }
    }

    private void Track(Task task)
    {
        if (task.IsCompleted)
            return;
        var id = Interlocked.Increment(ref _workIds);
        _work[id] = task;
        _ = task.ContinueWith(
            static (_, state) =>
            {
                var (work, key) = ((ConcurrentDictionary<long, Task>, long))state!;
                work.TryRemove(key, out Task? _);
            },
            (_work, id),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
