// SOCKS5 client (RFC 1928) with username/password authentication (RFC 1929), used for stream
// isolation: Tor's IsolateSOCKSAuth (on by default) puts streams with different credentials on
// different circuits. Name lookups use Tor's SOCKS extension RESOLVE (command 0xF0, torspec
// socks-extensions.txt section 2).
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Burrow.Core.Dns;
using Burrow.Core.Net;

namespace Burrow.Core.Upstreams;

/// <summary>Opens streams through an existing Tor or Arti SocksPort. An explicit option, never a fallback.
/// Also the DNS listener's resolver when the upstream is SOCKS (Tor's RESOLVE extension).</summary>
public sealed class Socks5Connector : ITorConnector, IDnsResolver
{
    private const byte CommandConnect = 1;
    private const byte CommandResolve = 0xF0;
    private static readonly TimeSpan ResolveTtl = TimeSpan.FromSeconds(60);

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

    public ValueTask<UpstreamConnection> ConnectAsync(IPEndPoint destination, string isolationKey, CancellationToken cancellationToken)
        => ConnectAsync(BuildConnect(destination), destination.ToString(), isolationKey, cancellationToken);

    public ValueTask<UpstreamConnection> ConnectAsync(string host, int port, string isolationKey, CancellationToken cancellationToken)
        => ConnectAsync(BuildDomainRequest(CommandConnect, host, port), $"{host}:{port}", isolationKey, cancellationToken);

    async ValueTask<DnsLookup> IDnsResolver.ResolveAsync(string name, DnsQueryKind kind, string isolationKey, CancellationToken cancellationToken)
    {
        UpstreamConnection? connection = null;
        try
        {
            connection = await ConnectAsync(BuildDomainRequest(CommandResolve, name, 0), name, isolationKey, cancellationToken).ConfigureAwait(false);
            var address = ((SocketUpstreamConnection)connection).BoundAddress;
            var family = kind == DnsQueryKind.A ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
            // Tor answers RESOLVE with one address (IPv4 when there is one): no AAAA is then an empty answer, not an error.
            return DnsLookup.Found(address is not null && address.AddressFamily == family ? [address] : [], ResolveTtl);
        }
        catch (UpstreamException e)
        {
            return DnsLookup.Failed(e.Kind switch
            {
                UpstreamErrorKind.HostUnreachable => DnsLookupFailure.NotFound, // Tor's reply 4 for a name that does not resolve
                UpstreamErrorKind.NotAllowed => DnsLookupFailure.Refused,
                UpstreamErrorKind.Timeout => DnsLookupFailure.Timeout,
                _ => DnsLookupFailure.UpstreamDown,
            }, e.Kind.ToString());
        }
        finally
        {
            if (connection is not null)
                await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask<UpstreamConnection> ConnectAsync(byte[] request, string what, string isolationKey, CancellationToken cancellationToken)
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
            var bound = await HandshakeAsync(socket, request, what, isolationKey, timeout.Token).ConfigureAwait(false);
            return new SocketUpstreamConnection(socket) { BoundAddress = bound };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new UpstreamException(UpstreamErrorKind.Timeout, $"no answer from {Description} for {what} within {_connectTimeout.TotalSeconds:0} s");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    internal static Task<IPAddress?> HandshakeAsync(Socket socket, IPEndPoint destination, string isolationKey, CancellationToken ct)
        => HandshakeAsync(socket, BuildConnect(destination), destination.ToString(), isolationKey, ct);

    /// <summary>Greeting, authentication (the isolation key), the request; returns the reply's bound address (RESOLVE's answer).</summary>
    internal static async Task<IPAddress?> HandshakeAsync(Socket socket, byte[] request, string what, string isolationKey, CancellationToken ct)
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

        await socket.SendAsync(request, SocketFlags.None, ct).ConfigureAwait(false);
        var head = new byte[4];
        await ReadExactlyAsync(socket, head, ct).ConfigureAwait(false);
        if (head[0] != 5)
            throw new UpstreamException(UpstreamErrorKind.ProtocolError, $"SOCKS reply version {head[0]}, expected 5");
        if (head[1] != 0)
            throw ReplyError(head[1], what);
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
        var tail = new byte[rest];
        await ReadExactlyAsync(socket, tail, ct).ConfigureAwait(false);
        return head[3] switch
        {
            1 => new IPAddress(tail.AsSpan(0, 4)),
            4 => new IPAddress(tail.AsSpan(0, 16)),
            _ => null,
        };
    }

    /// <summary>A request naming a host (ATYP 3): CONNECT to a name the exit resolves, or Tor's RESOLVE.</summary>
    internal static byte[] BuildDomainRequest(byte command, string host, int port)
    {
        var name = Encoding.ASCII.GetBytes(host);
        if (name.Length is 0 or > 255)
            throw new UpstreamException(UpstreamErrorKind.Other, $"the host name '{host}' is {name.Length} bytes long; SOCKS5 carries 1 to 255");
        var request = new byte[4 + 1 + name.Length + 2];
        request[0] = 5;
        request[1] = command;
        request[3] = 3; // DOMAINNAME
        request[4] = (byte)name.Length;
        name.CopyTo(request, 5);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(request.Length - 2), (ushort)port);
        return request;
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

    internal static UpstreamException ReplyError(byte code, IPEndPoint destination) => ReplyError(code, destination.ToString());

    internal static UpstreamException ReplyError(byte code, string destination) => code switch
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
