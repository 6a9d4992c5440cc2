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
    /// <summary>The longest pause between accept attempts while accept keeps failing (out of descriptors).</summary>
    internal static readonly TimeSpan MaxAcceptBackoff = TimeSpan.FromSeconds(1);

    private readonly Func<IPEndPoint> _listen;
    private readonly bool _dualMode;
    private readonly Action<Socket> _dispatch;
    private readonly ILogger _logger;
    private readonly int _backlog;
    private readonly Func<AddressFamily, Socket>? _socketFactory;
    private readonly CancellationTokenSource _stop = new();
    private Socket? _socket;
    private Task? _acceptLoop;

    // An explicit static constructor runs the source-generated log formatters' setup when the first listener is
    // made, not lazily at the first warning: that warning is "out of descriptors", when loading the assembly the
    // setup needs fails too, and the TypeInitializationException used to end the accept loop for good.
    static TransparentListener()
    {
    }

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
        var failures = 0;
        // Accept through SocketAsyncEventArgs, whose errors are values: Socket.AcceptAsync(CancellationToken) throws a
        // SocketException per failure, and capturing its stack trace can load System.Diagnostics.StackTrace. Out of
        // descriptors that load fails and the runtime ends the process (seen in ListenerFdLimitTests), so the EMFILE
        // path must not throw at all.
        using var accept = new AcceptOperation();
        using var reserve = new DescriptorReserve(DescriptorReserve.DefaultCount);
        var reserveUsable = reserve.TryRefill(); // false where /dev/null cannot be opened: then there is no reserve
        while (!ct.IsCancellationRequested)
        {
            if (failures > 0 && reserveUsable && !reserve.TryRefill())
            {
                // Descriptors are still short: accepting now would take the ones the runtime needs.
                failures++;
                if (!await BackOffAsync(failures, ct).ConfigureAwait(false))
                    break;
                continue;
            }
            SocketError error;
            try
            {
                error = await accept.AcceptAsync(listening).ConfigureAwait(false);
            }
            catch (ObjectDisposedException) { break; }
            if (error == SocketError.Success)
            {
                var accepted = accept.TakeSocket();
                if (failures > 0)
                {
                    LogAcceptRecovered(failures);
                    failures = 0;
                }
                _dispatch(accepted);
                continue;
            }
            if (error is SocketError.ConnectionReset or SocketError.ConnectionAborted)
                continue; // the client gave up while still in the backlog: nothing to serve, keep accepting
            if (error is SocketError.OperationAborted or SocketError.Interrupted || ct.IsCancellationRequested)
                break; // the listener was closed
            // Out of descriptors (EMFILE/ENFILE) and the like: the listening socket stays readable, so retrying at
            // once would spin. Back off (10 ms doubling to 1 s) until flows close and free descriptors; say so once,
            // not on every retry, and say when it recovers.
            reserve.Release();
            failures++;
            if (failures == 1)
                TryLogAcceptFailed(error);
            if (!await BackOffAsync(failures, ct).ConfigureAwait(false))
                break;
        }
    }

    /// <summary>Waits 10 ms doubling up to <see cref="MaxAcceptBackoff"/>; false when the listener is stopping.</summary>
    private static async Task<bool> BackOffAsync(int failures, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(Math.Min(MaxAcceptBackoff.TotalMilliseconds, 10 * Math.Pow(2, Math.Min(failures - 1, 10))));
        try
        {
            await Task.Delay(delay, ct).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Out of descriptors, a logger that has to open a file or load an assembly fails as well; that must
    /// not end the accept loop.</summary>
    private void TryLogAcceptFailed(SocketError error)
    {
        try
        {
            LogAcceptFailed(error, AcceptOperation.Describe(error));
        }
        catch (Exception logFailure) when (logFailure is IOException or TypeInitializationException or OutOfMemoryException)
        {
            // Nothing to report it with; the recovery message says how many attempts failed.
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

    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Accepting a connection failed ({Error}): {Detail}; retrying with backoff up to 1 s")]
    private partial void LogAcceptFailed(SocketError error, string detail);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Accepting connections again after {Failures} failed attempts")]
    private partial void LogAcceptRecovered(int failures);
}
