using System.IO.Compression;
using System.Net;
using System.Text;
using Burrow.Tor.Dir;
using Burrow.Tor.Identities;
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.Tests.Dir;

/// <summary>
/// An in-memory set of directory caches: each request's path goes to a handler that returns the
/// raw HTTP response (or throws, as an unreachable server would). Records every request.
/// </summary>
internal sealed class FakeDirectory : IDirectoryStreamOpener
{
    private readonly List<(string Server, string Path)> _requests = [];

    /// <summary>Answers (server name, path) with a full HTTP response; null means "404".</summary>
    public Func<DirectoryServer, string, byte[]?> Handler { get; set; } = (_, _) => null;

    /// <summary>Servers that cannot be reached at all.</summary>
    public HashSet<string> Down { get; } = [];

    public IReadOnlyList<(string Server, string Path)> Requests
    {
        get
        {
            lock (_requests)
                return _requests.ToList();
        }
    }

    public int Count(string pathPrefix) => Requests.Count(r => r.Path.StartsWith(pathPrefix, StringComparison.Ordinal));

    public Task<Stream> OpenAsync(DirectoryServer server, CancellationToken cancellationToken)
    {
        if (Down.Contains(server.Name))
            throw new IOException($"connection to {server.Name} refused");
        return Task.FromResult<Stream>(new ExchangeStream(this, server));
    }

    public static DirectoryServer Server(string name, int n) =>
        new(name, new RsaIdentity(Enumerable.Repeat((byte)n, 20).ToArray()), null, [new IPEndPoint(IPAddress.Loopback, 9000 + n)]);

    public static byte[] Ok(byte[] body, bool deflate = true)
    {
        if (!deflate)
            return Response("200 OK", "", body);
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            z.Write(body);
        return Response("200 OK", "Content-Encoding: deflate\r\n", compressed.ToArray());
    }

    public static byte[] Response(string status, string headers, byte[] body)
    {
        var head = Encoding.ASCII.GetBytes($"HTTP/1.0 {status}\r\nContent-Type: text/plain\r\n{headers}\r\n");
        return [.. head, .. body];
    }

    public static byte[] NotFound => Response("404 Not found", "", []);

    private sealed class ExchangeStream(FakeDirectory owner, DirectoryServer server) : Stream
    {
        private readonly MemoryStream _request = new();
        private byte[]? _response;
        private int _offset;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => _request.Write(buffer, offset, count);

        public override void Flush() { }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_response == null)
            {
                var text = Encoding.ASCII.GetString(_request.ToArray());
                Assert.EndsWith("\r\n\r\n", text);
                Assert.StartsWith("GET /", text);
                Assert.Contains("\r\nAccept-Encoding: deflate, identity\r\n", text);
                var path = text.Split(' ')[1];
                lock (owner._requests)
                    owner._requests.Add((server.Name, path));
                _response = owner.Handler(server, path) ?? NotFound;
            }
            var n = Math.Min(count, _response.Length - _offset);
            Array.Copy(_response, _offset, buffer, offset, n);
            _offset += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
