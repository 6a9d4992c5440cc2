using System.IO.Compression;
using System.Text;
using Burrow.Tor.Dir;
using Burrow.Tor.Identities;
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.Tests.Dir;

public class DirHttpTests
{
    private static byte[] B(string s) => Encoding.Latin1.GetBytes(s);

    private static byte[] Deflate(byte[] data)
    {
        var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true))
            z.Write(data);
        return ms.ToArray();
    }

    [Fact]
    public void RequestIsHttp10WithAcceptEncoding()
    {
        Assert.Equal("GET /tor/keys/fp/AB HTTP/1.0\r\nAccept-Encoding: deflate, identity\r\n\r\n", Encoding.ASCII.GetString(DirHttp.FormatGet("/tor/keys/fp/AB")));
        Assert.Throws<ArgumentException>(() => DirHttp.FormatGet("tor/keys"));
        Assert.Throws<ArgumentException>(() => DirHttp.FormatGet("/a b"));
        Assert.Throws<ArgumentException>(() => DirHttp.FormatGet("/a\r\nX: y"));
    }

    [Fact]
    public void IdentityBody()
    {
        var r = DirHttp.Parse(B("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nX-Your-Address-Is: 127.0.0.1\r\n\r\nhello\nworld\n"), 1000);
        Assert.Equal(200, r.StatusCode);
        Assert.Equal("OK", r.ReasonPhrase);
        Assert.Equal("hello\nworld\n", Encoding.ASCII.GetString(r.Body));
        Assert.Equal("127.0.0.1", r.Headers["x-your-address-is"]);
    }

    [Fact]
    public void DeflateBodyIsAZlibStream()
    {
        var doc = Enumerable.Range(0, 2000).SelectMany(i => B($"line {i}\n")).ToArray();
        var raw = B("HTTP/1.0 200 OK\r\nContent-Encoding: deflate\r\n\r\n").Concat(Deflate(doc)).ToArray();
        var r = DirHttp.Parse(raw, 1 << 20);
        Assert.Equal(doc, r.Body);
        Assert.True(r.EncodedLength < doc.Length);
    }

    [Fact]
    public void LfOnlyHeadersAreAccepted()
    {
        var r = DirHttp.Parse(B("HTTP/1.1 200 OK\nContent-Length: 3\n\nabcdef"), 100);
        Assert.Equal("abc", Encoding.ASCII.GetString(r.Body));
    }

    [Theory]
    [InlineData("HTTP/1.0 404 Not found\r\n\r\n", "HttpStatus")]
    [InlineData("HTTP/1.0 503 Directory busy, try again later\r\n\r\n", "HttpStatus")]
    [InlineData("", "MalformedResponse")]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n", "MalformedResponse")]
    [InlineData("SSH-2.0-OpenSSH\r\n\r\n", "MalformedResponse")]
    [InlineData("HTTP/1.0 2000 OK\r\n\r\n", "MalformedResponse")]
    [InlineData("HTTP/2 200 OK\r\n\r\n", "MalformedResponse")]
    [InlineData("HTTP/1.0 200 OK\r\nno colon here\r\n\r\n", "MalformedResponse")]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nshort", "CorruptBody")]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: lots\r\n\r\nshort", "MalformedResponse")]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Encoding: x-tor-lzma\r\n\r\nxx", "UnsupportedEncoding")]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Encoding: deflate\r\n\r\nthis is not zlib", "CorruptBody")]
    public void BadResponsesHaveTypedErrors(string response, string kindName)
    {
        var kind = Enum.Parse<DirectoryErrorKind>(kindName);
        var e = Assert.Throws<DirectoryException>(() => DirHttp.Parse(B(response), 1000));
        Assert.Equal(kind, e.Kind);
        if (kind == DirectoryErrorKind.HttpStatus)
            Assert.Equal(int.Parse(response.Split(' ')[1]), e.StatusCode);
    }

    [Fact]
    public void HeaderBlockAndHeaderCountAreBounded()
    {
        var longHeader = "HTTP/1.0 200 OK\r\nX: " + new string('a', DirHttp.MaxHeaderBytes) + "\r\n\r\nbody";
        Assert.Equal(DirectoryErrorKind.MalformedResponse, Assert.Throws<DirectoryException>(() => DirHttp.Parse(B(longHeader), 1000)).Kind);
        var many = "HTTP/1.0 200 OK\r\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"X-{i}: v\r\n")) + "\r\n";
        Assert.Contains("header lines", Assert.Throws<DirectoryException>(() => DirHttp.Parse(B(many), 1000)).Message);
    }

    [Fact]
    public void DecompressionBombIsStopped()
    {
        var zeros = new byte[10 << 20];
        var raw = B("HTTP/1.0 200 OK\r\nContent-Encoding: deflate\r\n\r\n").Concat(Deflate(zeros)).ToArray();
        Assert.True(raw.Length < 100_000);
        var e = Assert.Throws<DirectoryException>(() => DirHttp.Parse(raw, 1 << 20));
        Assert.Equal(DirectoryErrorKind.TooLarge, e.Kind);
        Assert.Equal(DirectoryErrorKind.TooLarge, Assert.Throws<DirectoryException>(() => DirHttp.Parse(B("HTTP/1.0 200 OK\r\n\r\n0123456789"), 5)).Kind);
    }

    [Fact]
    public void TruncatedDeflateBodyDoesNotPassAsComplete()
    {
        var doc = Enumerable.Range(0, 5000).SelectMany(i => B($"line {i} {i * 7919 % 1000}\n")).ToArray();
        var z = Deflate(doc);
        var raw = B("HTTP/1.0 200 OK\r\nContent-Encoding: deflate\r\n\r\n").Concat(z[..(z.Length / 2)]).ToArray();
        try
        {
            var r = DirHttp.Parse(raw, 1 << 20);
            // .NET may return what it could inflate; it must then be a strict prefix, which the
            // document checks (signatures, digests) reject.
            Assert.True(r.Body.Length < doc.Length);
            Assert.Equal(doc[..r.Body.Length], r.Body);
        }
        catch (DirectoryException e)
        {
            Assert.Equal(DirectoryErrorKind.CorruptBody, e.Kind);
        }
    }

    [Fact]
    public async Task ResponseSizeIsBoundedWhileReading()
    {
        var big = new MemoryStream(new byte[100_000]);
        var e = await Assert.ThrowsAsync<DirectoryException>(() => DirHttp.ReadToEndAsync(big, 50_000, CancellationToken.None));
        Assert.Equal(DirectoryErrorKind.TooLarge, e.Kind);
        Assert.Equal(100_000, (await DirHttp.ReadToEndAsync(new MemoryStream(new byte[100_000]), 100_000, CancellationToken.None)).Length);
    }

    [Fact]
    public void UrlsFollowDirSpec()
    {
        var a = RsaIdentity.FromHex("F533C81CEF0BC0267857C99B2F471ADF249FA232");
        var b = RsaIdentity.FromHex("0232AF901C31A04EE9848595AF9BB7620D4C5B2E");
        Assert.Equal("/tor/status-vote/current/consensus-microdesc/0232AF+F533C8", DirUrls.Consensus([a, b]));
        Assert.Equal("/tor/keys/fp/0232AF901C31A04EE9848595AF9BB7620D4C5B2E+F533C81CEF0BC0267857C99B2F471ADF249FA232", DirUrls.Certificates([a, b]));
        var d1 = new Digest256(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        var d2 = new Digest256(Enumerable.Repeat((byte)0xFB, 32).ToArray());
        var url = DirUrls.Microdescriptors([d1, d2]);
        Assert.Equal("/tor/micro/d/" + d1.ToBase64Unpadded() + "-" + d2.ToBase64Unpadded(), url);
        Assert.DoesNotContain("=", url);
        Assert.Throws<ArgumentException>(() => DirUrls.Microdescriptors(Enumerable.Range(0, 93).Select(i => new Digest256(Enumerable.Repeat((byte)i, 32).ToArray())).ToList()));
        Assert.Throws<ArgumentException>(() => DirUrls.Microdescriptors([]));
    }
}
