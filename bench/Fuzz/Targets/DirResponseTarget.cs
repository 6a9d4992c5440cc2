using System.IO.Compression;
using System.Text;
using Burrow.Tor.Dir;

namespace Burrow.Fuzz.Targets;

/// <summary>The HTTP/1.0 directory response parser (dir-spec 6.2): status line, headers, Content-Length and the
/// deflate body, under the same decoded-size limit style the fetcher uses.</summary>
internal sealed class DirResponseTarget : FuzzTarget
{
    private const int MaxDecoded = 1024 * 1024;

    public override string Name => "dir-response";

    public override string Description => "DirHttp.Parse on a whole response (headers, Content-Length, deflate/identity body)";

    public override void Run(ReadOnlySpan<byte> input)
    {
        try
        {
            var response = DirHttp.Parse(input, MaxDecoded);
            if (response.Body.Length > MaxDecoded)
                throw new InvalidOperationException($"the body decoded to {response.Body.Length} bytes, past the {MaxDecoded} limit");
        }
        catch (DirectoryException)
        {
        }
    }

    public override IEnumerable<byte[]> Seeds(SeedData data)
    {
        var consensus = data.Tor("private-network/cached-microdesc-consensus");
        yield return Response("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: deflate\r\n\r\n", Deflate(consensus));
        yield return Response($"HTTP/1.0 200 OK\r\nContent-Length: {consensus.Length}\r\nContent-Encoding: identity\r\n\r\n", consensus);
        var micro = data.Tor("private-network/cached-microdescs");
        yield return Response("HTTP/1.0 200 OK\nContent-Encoding: x-deflate\n\n", Deflate(micro));
        yield return Response("HTTP/1.0 404 Not found\r\nContent-Length: 0\r\n\r\n", []);
        yield return Response("HTTP/1.1 503 Directory busy, try again later\r\n\r\n", []);
        yield return Response("HTTP/1.0 200 OK\r\nContent-Encoding: x-zstd\r\n\r\n", [0x28, 0xB5, 0x2F, 0xFD]);
    }

    private static byte[] Response(string head, byte[] body) => [.. Encoding.ASCII.GetBytes(head), .. body];

    private static byte[] Deflate(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
            zlib.Write(bytes);
        return output.ToArray();
    }
}
