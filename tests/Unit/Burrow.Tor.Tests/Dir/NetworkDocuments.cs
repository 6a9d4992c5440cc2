using System.Text;
using Burrow.Tor.Dir;
using Burrow.Tor.NetDoc;
using static Burrow.Tor.Tests.NetDoc.NetDocTestData;

namespace Burrow.Tor.Tests.Dir;

/// <summary>
/// The documents of one test-data network, served the way a directory cache would: the
/// consensus, certificates by authority, microdescriptors by digest.
/// </summary>
internal sealed class NetworkDocuments
{
    public NetworkDocuments(string folder, params string[] microdescFiles)
    {
        Consensus = Bytes(folder, "cached-microdesc-consensus");
        Certificates = Bytes(folder, "cached-certs");
        foreach (var file in microdescFiles)
        {
            foreach (var chunk in DocumentSplitter.Microdescriptors(Bytes(folder, file)))
            {
                var md = Microdescriptor.Parse(chunk.Span);
                Microdescriptors.TryAdd(md.Digest.ToBase64Unpadded(), chunk.ToArray());
            }
        }
        var parsed = MicrodescConsensus.Parse(Consensus);
        ValidAfter = parsed.ValidAfter;
        RouterCount = parsed.Routers.Count;
    }

    public byte[] Consensus { get; set; }

    public byte[] Certificates { get; set; }

    public Dictionary<string, byte[]> Microdescriptors { get; } = new(StringComparer.Ordinal);

    public DateTime ValidAfter { get; }

    public int RouterCount { get; }

    /// <summary>Serves these documents; microdescriptors that are unknown are left out (as caches do).</summary>
    public byte[]? Serve(string path)
    {
        if (path.StartsWith("/tor/status-vote/current/consensus-microdesc", StringComparison.Ordinal))
            return FakeDirectory.Ok(Consensus);
        if (path.StartsWith("/tor/keys/fp/", StringComparison.Ordinal))
        {
            var wanted = path["/tor/keys/fp/".Length..].Split('+').ToHashSet(StringComparer.Ordinal);
            var certs = DocumentSplitter.Certificates(Certificates)
                .Where(c => wanted.Contains(AuthorityCertificate.Parse(c.Span).Fingerprint.ToHex()))
                .SelectMany(c => c.ToArray()).ToArray();
            return certs.Length == 0 ? null : FakeDirectory.Ok(certs);
        }
        if (path.StartsWith("/tor/micro/d/", StringComparison.Ordinal))
        {
            var body = new MemoryStream();
            foreach (var d in path["/tor/micro/d/".Length..].Split('-'))
            {
                if (Microdescriptors.TryGetValue(d, out var text))
                    body.Write(text);
            }
            return body.Length == 0 ? null : FakeDirectory.Ok(body.ToArray());
        }
        return null;
    }

    public static byte[] Replace(byte[] doc, string find, string replacement) => NetDoc.NetDocTestData.Replace(doc, find, replacement);

    public static string Text(byte[] b) => Encoding.Latin1.GetString(b);
}
