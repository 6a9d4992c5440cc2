// SOCKS5 client (RFC 1928) with username/password authentication (RFC 1929), used for stream
// isolation: Tor's IsolateSOCKSAuth (on by default) puts streams with different credentials on
// different circuits.
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Burrow.Core.Net;

namespace Burrow.Core.Upstreams;

/// <summary>Opens streams through an existing Tor or Arti SocksPort. An explicit option, never a fallback.</summary>
public sealed class Socks5Connector : ITorConnector
{
    private readonly IPEndPoint _proxy;
    private readonly TimeSpan _connectTimeout;

    public Socks5Connector(IPEndPoint proxy, TimeSpan? connectTimeout = null)
    {
        _proxy = proxy;
        _connectTimeout = connectTimeout ?? TimeSpan.FromSeconds(60);
    }

    public string Description => $"socks5 {_proxy}";

    public async Task StartAsync(IProgress<UpstreamProgress>? progress, CancellationToken cancellationToken)
    {
        progress?.Report(new UpstreamProgress(0, $"checking the SocksPort at {_proxy}"));
        using var socket = new Socket(_proxy.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await socket.ConnectAsync(_proxy, timeout.Token).ConfigureAwait(false);
            // A SOCKS5 greeting proves it is a SOCKS server, not just an open port.
            await socket.SendAsync(new byte[] { 5, 1, 0 }, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            var reply = new byte[2];
            await ReadExactlyAsync(socket, reply, timeout.Token).ConfigureAwait(false);
            if (reply[0] != 5)
                throw new UpstreamException(UpstreamErrorKind.ProtocolError, $"{_proxy} is not a SOCKS5 server (it answered version {reply[0]})");
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamException(UpstreamErrorKind.ConnectorUnavailable,
                $"upstream.socks5: cannot reach a SOCKS5 server at {_proxy}: {e.Message}", e);
        }
        progress?.Report(new UpstreamProgress(100, "SocksPort ready"));
    }

    public async ValueTask<UpstreamConnection> ConnectAsync(IPEndPoint destination, string isolationKey, CancellationToken cancellationToken)
    {
        var socket = new Socket(_proxy.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_connectTimeout);
        try
        {
            try
            {
                await socket.ConnectAsync(_proxy, timeout.Token).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new UpstreamException(UpstreamErrorKind.ConnectorUnavailable, $"cannot reach the SocksPort {_proxy}: {e.Message}", e);
            }
            await HandshakeAsync(socket, destination, isolationKey, timeout.Token).ConfigureAwait(false);
            return new SocketUpstreamConnection(socket);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new UpstreamException(UpstreamErrorKind.Timeout, $"no answer from {Description} for {destination} within {_connectTimeout.TotalSeconds:0} s");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    internal static async Task HandshakeAsync(Socket socket, IPEndPoint destination, string isolationKey, CancellationToken ct)
    {
        // Greeting: offer username/password only, so the isolation credentials are always used.
        await socket.SendAsync(new byte[] { 5, 1, 2 }, SocketFlags.None, ct).ConfigureAwait(false);
        var two = new byte[2];
        await ReadExactlyAsync(socket, two, ct).ConfigureAwait(false);
        if (two[0] != 5)
            throw new UpstreamException(UpstreamErrorKind.ProtocolError, $"SOCKS server answered version {two[0]}, expected 5");
        if (two[1] != 2)
            throw new UpstreamException(UpstreamErrorKind.ProtocolError, $"SOCKS server refused username/password authentication (method {two[1]})");

        var user = Encoding.UTF8.GetBytes(Truncate(isolationKey));
        var pass = "burrow"u8.ToArray();
        var auth = new byte[3 + user.Length + pass.Length];
        auth[0] = 1;
        auth[1] = (byte)user.Length;
        user.CopyTo(auth, 2);
        auth[2 + user.Length] = (byte)pass.Length;
        pass.CopyTo(auth, 3 + user.Length);
        await socket.SendAsync(auth, SocketFlags.None, ct).ConfigureAwait(false);
        await ReadExactlyAsync(socket, two, ct).ConfigureAwait(false);
        if (two[1] != 0)
            throw new UpstreamException(UpstreamErrorKind.ProtocolError, $"SOCKS authentication failed (status {two[1]})");

        var request = BuildConnect(destination);
        await socket.SendAsync(request, SocketFlags.None, ct).ConfigureAwait(false);
        var head = new byte[4];
        await ReadExactlyAsync(socket, head, ct).ConfigureAwait(false);
        if (head[0] != 5)
            throw new UpstreamException(UpstreamErrorKind.ProtocolError, $"SOCKS reply version {head[0]}, expected 5");
        if (head[1] != 0)
            throw ReplyError(head[1], destination);
        var rest = head[3] switch
        {
            1 => 4 + 2,
            4 => 16 + 2,
            3 => -1,
            _ => throw new UpstreamException(UpstreamErrorKind.ProtocolError, $"SOCKS reply address type {head[3]} is unknown"),
        };
        if (rest < 0)
        {
            var len = new byte[1];
            await ReadExactlyAsync(socket, len, ct).ConfigureAwait(false);
            rest = len[0] + 2;
        }
        await ReadExactlyAsync(socket, new byte[rest], ct).ConfigureAwait(false);
    }

    internal static byte[] BuildConnect(IPEndPoint destination)
    {
        var address = EndPoints.Unmap(destination.Address);
        var ipv4 = address.AddressFamily == AddressFamily.InterNetwork;
        var request = new byte[4 + (ipv4 ? 4 : 16) + 2];
        request[0] = 5; // version
        request[1] = 1; // CONNECT
        request[3] = (byte)(ipv4 ? 1 : 4);
        address.TryWriteBytes(request.AsSpan(4), out _);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(request.Length - 2), (ushort)destination.Port);
        return request;
    }

    internal static UpstreamException ReplyError(byte code, IPEndPoint destination) => code switch
    {
        2 => new(UpstreamErrorKind.NotAllowed, $"the exit does not allow connections to {destination} (SOCKS reply 2)"),
        3 => new(UpstreamErrorKind.NetworkUnreachable, $"network unreachable for {destination} (SOCKS reply 3)"),
        4 => new(UpstreamErrorKind.HostUnreachable, $"host unreachable: {destination} (SOCKS reply 4)"),
        5 => new(UpstreamErrorKind.ConnectionRefused, $"connection refused by {destination} (SOCKS reply 5)"),
        6 => new(UpstreamErrorKind.Timeout, $"TTL expired / timed out reaching {destination} (SOCKS reply 6)"),
        _ => new(UpstreamErrorKind.Other, $"the SOCKS server could not connect to {destination} (SOCKS reply {code})"),
    };

    private static string Truncate(string key) => key.Length <= 255 ? key : key[..255];

    private static async Task ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken ct)
    {
        while (buffer.Length > 0)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false);
            if (n == 0)
                throw new UpstreamException(UpstreamErrorKind.ProtocolError, "the SOCKS server closed the connection during the handshake");
            buffer = buffer[n..];
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
