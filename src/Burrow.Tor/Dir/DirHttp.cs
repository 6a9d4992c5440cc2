// HTTP/1.0 for directory requests (dir-spec 6, 6.1; bodies "deflate" = a zlib stream or
// "identity"), as spoken over BEGIN_DIR streams.
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Burrow.Tor.Dir;

/// <summary>
/// Writes GET requests and reads responses: status line, headers, then the body until the server
/// closes the stream (HTTP/1.0 without keep-alive). Everything is bounded: the header block, the
/// number of headers, the encoded body and the decoded body.
/// </summary>
internal static class DirHttp
{
    public const int MaxHeaderBytes = 16 * 1024;
    public const int MaxHeaders = 64;

    /// <summary>"GET path HTTP/1.0" asking for a deflate or uncompressed body.</summary>
    public static byte[] FormatGet(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!path.StartsWith('/') || path.Any(c => c is <= ' ' or >= (char)0x7F))
            throw new ArgumentException($"'{path}' is not a request path (it must start with '/' and hold printable ASCII only)", nameof(path));
        return Encoding.ASCII.GetBytes($"GET {path} HTTP/1.0\r\nAccept-Encoding: deflate, identity\r\n\r\n");
    }

    /// <summary>Sends a GET on <paramref name="stream"/> and reads the whole response.</summary>
    public static async Task<DirResponse> GetAsync(Stream stream, string path, int maxEncodedBody, int maxDecodedBody, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var request = FormatGet(path);
        await stream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        var raw = await ReadToEndAsync(stream, MaxHeaderBytes + maxEncodedBody, cancellationToken).ConfigureAwait(false);
        return Parse(raw, maxDecodedBody);
    }

    /// <summary>Reads until the server closes the stream; more than <paramref name="limit"/> bytes is an error.</summary>
    public static async Task<byte[]> ReadToEndAsync(Stream stream, int limit, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var n = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (n == 0)
                return buffer.ToArray();
            if (buffer.Length + n > limit)
                throw new DirectoryException(DirectoryErrorKind.TooLarge, $"the response is larger than {limit} bytes");
            buffer.Write(chunk, 0, n);
        }
    }

    /// <summary>Parses a complete response (everything the server sent before closing).</summary>
    public static DirResponse Parse(ReadOnlySpan<byte> raw, int maxDecodedBody)
    {
        var headerEnd = FindHeaderEnd(raw, out var separatorLength);
        if (headerEnd < 0)
        {
            if (raw.Length > MaxHeaderBytes)
                throw new DirectoryException(DirectoryErrorKind.MalformedResponse, $"no end of the header block within {MaxHeaderBytes} bytes");
            throw new DirectoryException(DirectoryErrorKind.MalformedResponse,
                raw.IsEmpty ? "the server closed the stream without answering" : $"the response ends inside its header block ({raw.Length} bytes received)");
        }
        if (headerEnd > MaxHeaderBytes)
            throw new DirectoryException(DirectoryErrorKind.MalformedResponse, $"the header block is longer than {MaxHeaderBytes} bytes");
        var head = Encoding.Latin1.GetString(raw[..headerEnd]);
        var lines = head.Split('\n');
        var (status, reason) = ParseStatusLine(lines[0].TrimEnd('\r'));
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0)
                continue;
            var colon = line.IndexOf(':');
            if (colon <= 0)
                throw new DirectoryException(DirectoryErrorKind.MalformedResponse, $"header line {i + 1} has no 'name: value' form: '{Clip(line)}'");
            if (headers.Count >= MaxHeaders)
                throw new DirectoryException(DirectoryErrorKind.MalformedResponse, $"more than {MaxHeaders} header lines");
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var body = raw[(headerEnd + separatorLength)..];
        if (headers.TryGetValue("Content-Length", out var lengthText))
        {
            if (!long.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
                throw new DirectoryException(DirectoryErrorKind.MalformedResponse, $"Content-Length '{Clip(lengthText)}' is not a number");
            if (body.Length < length)
                throw new DirectoryException(DirectoryErrorKind.CorruptBody, $"the body ends after {body.Length} of its {length} bytes");
            if (body.Length > length)
                body = body[..(int)length];
        }
        if (status != 200)
            throw new DirectoryException(DirectoryErrorKind.HttpStatus, $"HTTP {status} {reason}".TrimEnd(), statusCode: status);

        headers.TryGetValue("Content-Encoding", out var encoding);
        var decoded = Decode(body, encoding, maxDecodedBody);
        return new DirResponse { StatusCode = status, ReasonPhrase = reason, Headers = headers, Body = decoded, EncodedLength = body.Length };
    }

    /// <summary>Removes the Content-Encoding: none/"identity" as is, "deflate" as a zlib stream (RFC 1950).</summary>
    public static byte[] Decode(ReadOnlySpan<byte> body, string? contentEncoding, int maxDecoded)
    {
        var encoding = contentEncoding?.Trim().ToLowerInvariant();
        switch (encoding)
        {
            case null or "" or "identity":
                if (body.Length > maxDecoded)
                    throw new DirectoryException(DirectoryErrorKind.TooLarge, $"the body is {body.Length} bytes, more than the {maxDecoded} allowed");
                return body.ToArray();
            case "deflate" or "x-deflate":
                return Inflate(body, maxDecoded);
            default:
                throw new DirectoryException(DirectoryErrorKind.UnsupportedEncoding,
                    $"Content-Encoding '{Clip(contentEncoding!)}' was not asked for (accepted: deflate, identity)");
        }
    }

    private static byte[] Inflate(ReadOnlySpan<byte> body, int maxDecoded)
    {
        try
        {
            using var input = new MemoryStream(body.ToArray(), writable: false);
            using var zlib = new ZLibStream(input, CompressionMode.Decompress);
            var output = new MemoryStream();
            var chunk = new byte[64 * 1024];
            while (true)
            {
                var n = zlib.Read(chunk);
                if (n == 0)
                    break;
                if (output.Length + n > maxDecoded)
                    throw new DirectoryException(DirectoryErrorKind.TooLarge, $"the body decompresses to more than the {maxDecoded} bytes allowed");
                output.Write(chunk, 0, n);
            }
            return output.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // Corrupt data is InvalidDataException; zlib's other refusals (found by fuzzing: a header asking for a
            // preset dictionary, Z_NEED_DICT) come as ZLibException, an IOException. The input is in memory, so
            // either means the server's body is bad.
            throw new DirectoryException(DirectoryErrorKind.CorruptBody, $"the deflate body does not decompress: {e.Message}", e);
        }
    }

    private static (int Status, string Reason) ParseStatusLine(string line)
    {
        // "HTTP/1.0 200 OK": version, three-digit code, optional reason phrase.
        var parts = line.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || parts[0].Length != 8 || !char.IsAsciiDigit(parts[0][7]))
            throw new DirectoryException(DirectoryErrorKind.MalformedResponse, $"the status line '{Clip(line)}' is not 'HTTP/1.x code reason'");
        if (parts[1].Length != 3 || !parts[1].All(char.IsAsciiDigit))
            throw new DirectoryException(DirectoryErrorKind.MalformedResponse, $"the status code '{Clip(parts[1])}' is not three digits");
        return (int.Parse(parts[1], CultureInfo.InvariantCulture), parts.Length > 2 ? parts[2] : "");
    }

    /// <summary>The offset of the blank line ending the headers ("\r\n\r\n", or "\n\n" from lenient servers).</summary>
    private static int FindHeaderEnd(ReadOnlySpan<byte> raw, out int separatorLength)
    {
        var window = raw[..Math.Min(raw.Length, MaxHeaderBytes + 4)];
        var crlf = window.IndexOf("\r\n\r\n"u8);
        var lf = window.IndexOf("\n\n"u8);
        if (crlf >= 0 && (lf < 0 || crlf < lf))
        {
            separatorLength = 4;
            return crlf;
        }
        separatorLength = 2;
        return lf;
    }

    private static string Clip(string s) => s.Length <= 60 ? s : s[..60] + "...";
}
