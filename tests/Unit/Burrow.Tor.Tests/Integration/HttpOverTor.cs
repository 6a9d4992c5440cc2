using System.Security.Cryptography;
using System.Text;

namespace Burrow.Tor.Tests.Integration;

/// <summary>Just enough HTTP/1.0 to fetch test files and directory documents over a stream.</summary>
internal static class HttpOverTor
{
    public sealed record Response(int Status, IReadOnlyDictionary<string, string> Headers, long Length, string Sha256, byte[]? Body);

    /// <summary>Sends "GET path HTTP/1.0" and reads the response to the end (Content-Length, or until the
    /// stream ends). The body is kept only when <paramref name="keepBody"/>; its SHA-256 always.</summary>
    public static async Task<Response> GetAsync(Stream stream, string host, string path, bool keepBody = true, CancellationToken cancellationToken = default)
    {
        await stream.WriteAsync(Request(host, path), cancellationToken);
        return await ReadResponseAsync(stream, keepBody, cancellationToken);
    }

    /// <summary>The bytes of "GET path HTTP/1.0" for <paramref name="host"/>.</summary>
    public static byte[] Request(string host, string path) =>
        Encoding.ASCII.GetBytes($"GET {path} HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n");

    /// <summary>Reads a response to the end (the request was sent some other way).</summary>
    public static async Task<Response> ReadResponseAsync(Stream stream, bool keepBody = true, CancellationToken cancellationToken = default)
    {
        var buffer = new byte[64 * 1024];
        var filled = 0;
        int headerEnd;
        while ((headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (filled == buffer.Length)
                throw new InvalidDataException("HTTP header longer than 64 KiB");
            var n = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (n == 0)
                throw new EndOfStreamException($"stream ended inside the HTTP header after {filled} bytes");
            filled += n;
        }
        var lines = Encoding.ASCII.GetString(buffer, 0, headerEnd).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1]);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        long? expected = headers.TryGetValue("Content-Length", out var cl) ? long.Parse(cl) : null;

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var body = keepBody ? new MemoryStream() : null;
        long length = 0;
        void Take(ReadOnlySpan<byte> data)
        {
            sha.AppendData(data);
            body?.Write(data);
            length += data.Length;
        }
        Take(buffer.AsSpan(headerEnd + 4, filled - headerEnd - 4));
        while (expected is null || length < expected)
        {
            var n = await stream.ReadAsync(buffer, cancellationToken);
            if (n == 0)
                break;
            Take(buffer.AsSpan(0, n));
        }
        if (expected is { } e && length != e)
            throw new InvalidDataException($"body has {length} bytes, Content-Length says {e}");
        return new Response(status, headers, length, Convert.ToHexStringLower(sha.GetCurrentHash()), body?.ToArray());
    }
}
