using System.Net;
using System.Net.Sockets;
using Burrow.Core.Recovery;
using Burrow.Core.Upstreams;

namespace Burrow.Core.Tests.Transparent;

/// <summary>Answers every connection with a fixed recovery result (no kernel NAT needed).</summary>
internal sealed class FixedResolver(Func<Socket, RecoveryResult> answer) : IOriginalDestinationResolver, IAsyncDisposable
{
    public bool Disposed { get; private set; }
    public string Method => "FAKE";
    public ValueTask<RecoveryResult> ResolveAsync(Socket accepted, CancellationToken cancellationToken) => ValueTask.FromResult(answer(accepted));

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}

/// <summary>Connects straight to the destination over loopback TCP (stands in for Tor), or fails as told.</summary>
internal sealed class DirectConnector(UpstreamException? failWith = null) : ITorConnector
{
    public int Connects;
    public bool Disposed { get; private set; }
    public string Description => "direct (test)";
    public Task StartAsync(IProgress<UpstreamProgress>? progress, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Every request: the destination ("host:port" or the address) and its isolation key.</summary>
    public readonly List<(string Destination, string IsolationKey)> Requests = [];

    /// <summary>Where a connection by host name goes (the test's stand-in for the exit resolving it).</summary>
    public IPEndPoint? HostTarget { get; set; }

    public async ValueTask<UpstreamConnection> ConnectAsync(string host, int port, string isolationKey, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Connects);
        lock (Requests) Requests.Add(($"{host}:{port}", isolationKey));
        if (failWith != null) throw failWith;
        var target = HostTarget ?? throw new UpstreamException(UpstreamErrorKind.HostUnreachable, $"the test connector has no target for {host}");
        var s = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await s.ConnectAsync(target, cancellationToken);
        return new Burrow.Core.Upstreams.SocketUpstreamConnection(s);
    }

    public async ValueTask<UpstreamConnection> ConnectAsync(IPEndPoint destination, string isolationKey, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Connects);
        lock (Requests) Requests.Add((destination.ToString(), isolationKey));
        if (failWith != null) throw failWith;
        var s = new Socket(destination.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await s.ConnectAsync(destination, cancellationToken);
        return new Burrow.Core.Upstreams.SocketUpstreamConnection(s);
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}

/// <summary>A loopback server that reads everything until EOF, then answers with the bytes reversed
/// and closes: proves that half-close travels through the copy loop.</summary>
internal sealed class ReverseServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    public ReverseServer()
    {
        _listener.Start();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                Socket s;
                try { s = await _listener.AcceptSocketAsync(); } catch { return; }
                _ = Task.Run(async () =>
                {
                    using var _ = s;
                    var ms = new MemoryStream();
                    var buf = new byte[65536];
                    int n;
                    while ((n = await s.ReceiveAsync(buf)) > 0) ms.Write(buf, 0, n);
                    var data = ms.ToArray();
                    Array.Reverse(data);
                    var sent = 0;
                    while (sent < data.Length) sent += await s.SendAsync(data.AsMemory(sent));
                    s.Shutdown(SocketShutdown.Send);
                });
            }
        });
    }
    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;
    public void Dispose() => _listener.Stop();
}

/// <summary>A direct connector that opens the stream only once the forwarder has put at least
/// <paramref name="waitFor"/> bytes of the client's into the optimistic-data buffer, then writes them first
/// (as a connector without optimistic data does): the early path, made deterministic.</summary>
internal sealed class EarlyDataConnector(int waitFor) : ITorConnector
{
    private readonly DirectConnector _direct = new();

    /// <summary>How many bytes the buffer held when the stream opened.</summary>
    public int EarlyBytes { get; private set; } = -1;

    public string Description => "early data (test)";
    public Task StartAsync(IProgress<UpstreamProgress>? progress, CancellationToken cancellationToken) => Task.CompletedTask;
    public ValueTask<UpstreamConnection> ConnectAsync(IPEndPoint destination, string isolationKey, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("the forwarder must use the optimistic-data overload");
    public ValueTask<UpstreamConnection> ConnectAsync(string host, int port, string isolationKey, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("the forwarder must use the optimistic-data overload");

    public async ValueTask<UpstreamConnection> ConnectAsync(IPEndPoint destination, string? host, string isolationKey,
        Burrow.Tor.Client.OptimisticData early, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(20));
        while (early.Length < waitFor)
            await Task.Delay(5, bound.Token);
        var connection = await _direct.ConnectAsync(destination, isolationKey, cancellationToken);
        var bytes = early.Seal();
        EarlyBytes = bytes.Length;
        await connection.Stream.WriteAsync(bytes, cancellationToken);
        return connection;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
