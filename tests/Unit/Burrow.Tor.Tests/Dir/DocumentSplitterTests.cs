using System.Text;
using Burrow.Tor.Dir;
using Burrow.Tor.NetDoc;
using static Burrow.Tor.Tests.NetDoc.NetDocTestData;

namespace Burrow.Tor.Tests.Dir;

public class DocumentSplitterTests
{
    [Theory]
    [InlineData("network-2019-12-15-md-complete", "cached-microdescs")]
    [InlineData("network-2019-12-15-md-complete", "cached-microdescs.new")]
    [InlineData("private-network", "cached-microdescs")]
    [InlineData("metrics-lib-2017", "2017-07-17-17-20-00-micro")]
    public void MicrodescriptorChunksHaveTheParsersDigests(string folder, string file)
    {
        var text = Bytes(folder, file);
        var whole = Microdescriptor.ParseAll(text);
        var chunks = DocumentSplitter.Microdescriptors(text);
        Assert.Equal(whole.Count, chunks.Count);
        for (var i = 0; i < chunks.Count; i++)
        {
            Assert.Equal(whole[i].Digest, Microdescriptor.Parse(chunks[i].Span).Digest);
            Assert.False(chunks[i].Span.StartsWith("@"u8));
        }
    }

    [Theory]
    [InlineData("network-2019-12-15-md-complete", 9)]
    [InlineData("private-network", 3)]
    public void CertificateChunksParseAlone(string folder, int count)
    {
        var text = Bytes(folder, "cached-certs");
        var chunks = DocumentSplitter.Certificates(text);
        Assert.Equal(count, chunks.Count);
        Assert.Equal(AuthorityCertificate.ParseAll(text).Select(c => c.SigningKeyDigest), chunks.Select(c => AuthorityCertificate.Parse(c.Span).SigningKeyDigest));
        Assert.Equal(text.Length, chunks.Sum(c => c.Length));
    }

    [Fact]
    public void LeadingJunkIsAnEntryOfItsOwn()
    {
        var text = Encoding.ASCII.GetBytes("garbage line\nonion-key\nntor-onion-key AAAA\n");
        var chunks = DocumentSplitter.Microdescriptors(text);
        Assert.Equal(2, chunks.Count);
        Assert.Equal("garbage line\n", Encoding.ASCII.GetString(chunks[0].Span));
        Assert.Empty(DocumentSplitter.Microdescriptors(Encoding.ASCII.GetBytes("\n\n@last-listed 2020\n")));
        // "onion-keyX" is not the keyword.
        Assert.Single(DocumentSplitter.Microdescriptors(Encoding.ASCII.GetBytes("onion-key\nonion-keyX\n")));
    }
}
