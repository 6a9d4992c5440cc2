using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Burrow.Core.Transparent;

/// <summary>
/// The socket redirected connections arrive at. The accept loop survives connections reset in the
/// backlog and ends when the listener is disposed; each accepted socket is handed to the network.
/// </summary>
internal sealed partial class TransparentListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Func<Socket, Task> _onAccepted;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _acceptLoop;

    private TransparentListener(Socket socket, Func<Socket, Task> onAccepted, ILogger logger)
    {
        _socket = socket;
        _onAccepted = onAccepted;
        _logger = logger;
        EndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>The bound address (the real port when 0 was asked for).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Binds and starts accepting. Address-in-use and permission problems become clear errors.</summary>
    public static TransparentListener Start(IPEndPoint listen, Func<Socket, Task> onAccepted, ILogger logger, int backlog = 512)
    {
        var socket = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (listen.AddressFamily == AddressFamily.InterNetworkV6 && listen.Address.Equals(IPAddress.IPv6Any))
                socket.DualMode = true;
            socket.Bind(listen);
            socket.Listen(backlog);
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
        var listener = new TransparentListener(socket, onAccepted, logger);
        listener._acceptLoop = Task.Run(listener.AcceptLoopAsync);
        return listener;
    }

    private async Task AcceptLoopAsync()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(ct).ConfigureAwait(false);
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
            _ = _onAccepted(accepted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _socket.Dispose();
        if (_acceptLoop != null)
            await _acceptLoop.ConfigureAwait(false);
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Accepting a connection failed ({Error}): {Detail}")]
    private partial void LogAcceptFailed(SocketError error, string detail);
}
