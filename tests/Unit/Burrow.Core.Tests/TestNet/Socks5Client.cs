using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Burrow.Core.Tests.TestNet;

/// <summary>Just enough SOCKS5 (RFC 1928, no authentication) and HTTP/1.1 to fetch a file through
/// the C tor client's SocksPort and hash it on the fly; plus tor's RESOLVE extension (0xF0).</summary>
internal static class Socks5Client
{
    public sealed record Fetched(int Status, long ContentLength, long BodyBytes, string Sha256);

    /// <summary>CONNECT to host:port (an IPv4 literal or a name the exit resolves) and return the
    /// connected socket.</summary>
    public static async Task<Socket> ConnectAsync(IPEndPoint socks, string host, int port, CancellationToken ct)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await s.ConnectAsync(socks, ct);
            await HandshakeAsync(s, 0x01, host, port, ct);
            return s;
        }
        catch
        {
            s.Dispose();
            throw;
        }
    }

    /// <summary>Tor's SOCKS RESOLVE: the exit looks the name up; returns the IPv4 answer.</summary>
    public static async Task<IPAddress> ResolveAsync(IPEndPoint socks, string name, CancellationToken ct)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await s.ConnectAsync(socks, ct);
        return await HandshakeAsync(s, 0xF0, name, 0, ct);
    }

    /// <summary>GET path over a new SOCKS connection; reads the whole body, hashing it.</summary>
    public static async Task<Fetched> GetAsync(IPEndPoint socks, string host, int port, string path, CancellationToken ct)
    {
        using var s = await ConnectAsync(socks, host, port, ct);
        var request = $"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n";
        await s.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, ct);

        var buffer = new byte[64 * 1024];
        var filled = 0;
        int headerEnd;
        while ((headerEnd = IndexOf(buffer.AsSpan(0, filled), "\r\n\r\n"u8)) < 0)
        {
            if (filled == buffer.Length)
                throw new InvalidDataException("HTTP response header larger than 64 KiB");
            var n = await s.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct);
            if (n == 0)
                throw new InvalidDataException("connection closed before the HTTP response header ended");
            filled += n;
        }
        var header = Encoding.ASCII.GetString(buffer, 0, headerEnd);
        var lines = header.Split("\r\n");
        var statusParts = lines[0].Split(' ');
        if (statusParts.Length < 2 || !int.TryParse(statusParts[1], out var status))
            throw new InvalidDataException("bad HTTP status line: " + lines[0]);
        long contentLength = -1;
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                contentLength = long.Parse(line[(colon + 1)..].Trim());
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long body = filled - (headerEnd + 4);
        hash.AppendData(buffer, headerEnd + 4, (int)body);
        while (contentLength < 0 || body < contentLength)
        {
            var n = await s.ReceiveAsync(buffer, SocketFlags.None, ct);
            if (n == 0)
                break;
            hash.AppendData(buffer, 0, n);
            body += n;
        }
        return new Fetched(status, contentLength, body, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static async Task<IPAddress> HandshakeAsync(Socket s, byte command, string host, int port, CancellationToken ct)
    {
        await s.SendAsync(new byte[] { 5, 1, 0 }, SocketFlags.None, ct);
        var choice = await ReadExactlyAsync(s, 2, ct);
        if (choice[0] != 5 || choice[1] != 0)
            throw new InvalidDataException($"SOCKS server refused no-auth: {choice[0]:x2} {choice[1]:x2}");

        var req = new List<byte> { 5, command, 0 };
        if (IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork)
        {
            req.Add(1);
            req.AddRange(ip.GetAddressBytes());
        }
        else
        {
            var name = Encoding.ASCII.GetBytes(host);
            req.Add(3);
            req.Add(checked((byte)name.Length));
            req.AddRange(name);
        }
        req.Add((byte)(port >> 8));
        req.Add((byte)port);
        await s.SendAsync(req.ToArray(), SocketFlags.None, ct);

        var head = await ReadExactlyAsync(s, 4, ct);
        if (head[0] != 5)
            throw new InvalidDataException($"bad SOCKS reply version {head[0]}");
        if (head[1] != 0)
            throw new SocketException(head[1] switch { 4 => (int)SocketError.HostUnreachable, 5 => (int)SocketError.ConnectionRefused, _ => (int)SocketError.SocketError });
        var addrLen = head[3] switch
        {
            1 => 4,
            4 => 16,
            3 => (await ReadExactlyAsync(s, 1, ct))[0],
            _ => throw new InvalidDataException($"bad SOCKS address type {head[3]}"),
        };
        var addr = await ReadExactlyAsync(s, addrLen + 2, ct);
        _ = BinaryPrimitives.ReadUInt16BigEndian(addr.AsSpan(addrLen));
        return head[3] == 3 ? IPAddress.None : new IPAddress(addr.AsSpan(0, addrLen));
    }

    private static async Task<byte[]> ReadExactlyAsync(Socket s, int count, CancellationToken ct)
    {
        var buf = new byte[count];
        var got = 0;
        while (got < count)
        {
            var n = await s.ReceiveAsync(buf.AsMemory(got), SocketFlags.None, ct);
            if (n == 0)
                throw new InvalidDataException($"SOCKS server closed the connection ({got} of {count} bytes)");
            got += n;
        }
        return buf;
    }

    private static int IndexOf(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle) => haystack.IndexOf(needle);
}
