using System.Net;
using System.Net.Sockets;
using Burrow.Core.Networks;
using Burrow.Core.Upstreams;
using Microsoft.Extensions.Logging;

namespace Burrow.Core.Transparent;

/// <summary>
/// The socket redirected connections arrive at. It only accepts: each accepted socket is handed to
/// the dispatcher (the network's <see cref="ConnectionForwarder"/>) and the loop goes straight back to
/// accepting. The loop survives connections reset in the backlog and ends when the listener stops.
/// </summary>
internal sealed partial class TransparentListener : INetworkPart
{
    private readonly Func<IPEndPoint> _listen;
    private readonly bool _dualMode;
    private readonly Action<Socket> _dispatch;
    private readonly ILogger _logger;
    private readonly int _backlog;
    private readonly Func<AddressFamily, Socket>? _socketFactory;
    private readonly CancellationTokenSource _stop = new();
    private Socket? _socket;
    private Task? _acceptLoop;

    public TransparentListener(IPEndPoint listen, Action<Socket> dispatch, ILogger logger, int backlog = 512)
        : this(() => listen, dispatch, logger, backlog)
    {
    }

    /// <param name="listen">the address, asked for at start (an IPv6 twin takes the port its IPv4 listener was given)</param>
    /// <param name="dualMode">false: [::] takes IPv6 only (an IPv4 listener on 0.0.0.0 has the same port)</param>
    /// <param name="socketFactory">makes the listening socket (Invoke-BurrowCommand makes it on its namespace's thread,
    /// so it lives in that network namespace); default: a plain TCP socket</param>
    public TransparentListener(Func<IPEndPoint> listen, Action<Socket> dispatch, ILogger logger, int backlog = 512, bool dualMode = true,
        Func<AddressFamily, Socket>? socketFactory = null)
    {
        _socketFactory = socketFactory;
        _listen = listen;
        _dualMode = dualMode;
        _dispatch = dispatch;
        _logger = logger;
        _backlog = backlog;
    }

    public string Name => "listener";

    /// <summary>The bound address (the real port when 0 was asked for); null until started.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>Binds and starts accepting. Address-in-use and permission problems become clear errors.</summary>
    public Task StartAsync(IProgress<UpstreamProgress>? progress, CancellationToken cancellationToken)
    {
        var listen = _listen();
        var socket = _socketFactory?.Invoke(listen.AddressFamily) ?? new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (listen.AddressFamily == AddressFamily.InterNetworkV6)
                socket.DualMode = _dualMode && listen.Address.Equals(IPAddress.IPv6Any);
            socket.Bind(listen);
            socket.Listen(_backlog);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            var why = e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "the address is already in use (another Burrow network or program listens there)",
                SocketError.AddressNotAvailable => "the address is not assigned to any interface of this host",
                SocketError.AccessDenied => "permission denied (ports below 1024 need root)",
                _ => e.Message,
            };
            throw new ListenerException($"tcp_stack.listen: cannot listen on {listen}: {why}", e);
        }
        _socket = socket;
        EndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _acceptLoop = Task.Run(() => AcceptLoopAsync(socket));
        return Task.CompletedTask;
    }

    private async Task AcceptLoopAsync(Socket listening)
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await listening.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { break; }
            catch (ObjectDisposedException) { break; }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                // The client gave up while still in the backlog: nothing to serve, keep accepting.
                continue;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted)
            {
                break;
            }
            catch (SocketException e)
            {
                // Out of descriptors and the like: report, breathe, and keep serving.
                LogAcceptFailed(e.SocketErrorCode, e.Message);
                try { await Task.Delay(100, ct).ConfigureAwait(false); } catch (OperationCanceledException) { break; }
                continue;
            }
            _dispatch(accepted);
        }
    }

    /// <summary>Stops accepting and frees the port; connections already dispatched are the forwarder's.</summary>
    public async ValueTask StopAsync()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _socket?.Dispose();
        if (_acceptLoop != null)
            await _acceptLoop.ConfigureAwait(false);
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Accepting a connection failed ({Error}): {Detail}")]
    private partial void LogAcceptFailed(SocketError error, string detail);
}
