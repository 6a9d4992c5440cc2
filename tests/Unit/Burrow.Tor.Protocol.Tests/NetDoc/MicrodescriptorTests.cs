using System.Security.Cryptography;
using System.Text;
using Burrow.Tor.Identities;
using Burrow.Tor.NetDoc;
using static Burrow.Tor.Tests.NetDoc.NetDocTestData;

namespace Burrow.Tor.Tests.NetDoc;

public class MicrodescriptorTests
{
    [Fact]
    public void PrivateNetworkMicrodescriptorsMatchTheConsensusDigests()
    {
        var mds = Microdescriptor.ParseAll(Bytes("private-network", "cached-microdescs"));
        Assert.Equal(7, mds.Count);
        var consensus = Consensus("private-network", "cached-microdesc-consensus");
        Assert.Equal(consensus.Routers.Select(r => r.MicrodescDigest!.Value).ToHashSet(), mds.Select(m => m.Digest).ToHashSet());
        Assert.All(mds, m =>
        {
            Assert.True(m.HasTapOnionKey);
            Assert.Equal(32, m.NtorOnionKey!.Length);
            Assert.NotNull(m.Ed25519Id);
        });
        // Only the two exits have "p accept 1-65535".
        Assert.Equal(2, mds.Count(m => m.ExitPolicy.IsAccept && m.ExitPolicy.AllowsPort(1) && m.ExitPolicy.AllowsPort(65535)));
        Assert.Equal(5, mds.Count(m => m.ExitPolicy == PortPolicy.RejectAll));
        Assert.Equal(2, mds[0].LineNumber);
    }

    [Fact]
    public void DigestIsSha256FromOnionKeyToTheNextEntryWithoutAnnotations()
    {
        var text = Text("private-network", "cached-microdescs");
        // Independent split: entries start at "onion-key" lines; "@" lines are dropped.
        var expected = new List<string>();
        var current = new StringBuilder();
        foreach (var line in text.Split('\n')[..^1])
        {
            if (line.StartsWith('@'))
                continue;
            if (line == "onion-key" && current.Length > 0)
            {
                expected.Add(Hash(current.ToString()));
                current.Clear();
            }
            current.Append(line).Append('\n');
        }
        expected.Add(Hash(current.ToString()));
        Assert.Equal(expected, Microdescriptor.ParseAll(text).Select(m => m.Digest.ToBase64Unpadded()));

        static string Hash(string s) => Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(s))).TrimEnd('=');
    }

    [Fact]
    public void TorCacheFilesOf2019Parse()
    {
        var main = Microdescriptor.ParseAll(Bytes("network-2019-12-15-md-complete", "cached-microdescs"));
        var journal = Microdescriptor.ParseAll(Bytes("network-2019-12-15-md-complete", "cached-microdescs.new"));
        Assert.Equal(6374, main.Count);
        Assert.Equal(509, journal.Count);
        Assert.All(main, m => Assert.NotNull(m.NtorOnionKey));
        var withFamily = main.First(m => m.Family.Count > 0);
        Assert.Equal(withFamily.Family.Count, withFamily.FamilyRsaIds.Count);
        Assert.Contains(main, m => m.ExitPolicy6.IsAccept);
    }

    [Fact]
    public void ArtiSampleMicrodescriptor()
    {
        var md = Microdescriptor.Parse(Bytes("arti", "netdoc", "microdesc1.txt"));
        Assert.Equal(Convert.FromBase64String("gkQqYIYcecF1KwS2wVV/oVQAuf6oeTWzswXFkEVs/nE="), md.NtorOnionKey);
        Assert.Equal("k3TwldYWObTQkjmY83o+uG6xcbD5b/Zda8QPc/C5Ftg", md.Ed25519Id!.Value.ToString());
        Assert.Equal(18, md.Family.Count);
        Assert.Equal(RsaIdentity.FromHex("0BC8BA32CC3CB0F598E0C92778F7C0946DFBCE91"), md.FamilyRsaIds[0]);
        Assert.True(md.ExitPolicy.AllowsPort(443));
        Assert.False(md.ExitPolicy.AllowsPort(80 + 1000));
        Assert.True(md.ExitPolicy6.AllowsPort(64738));
        Assert.Equal(Hash(Text("arti", "netdoc", "microdesc1.txt")), md.Digest.ToBase64Unpadded());

        static string Hash(string s) => Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(s))).TrimEnd('=');
    }

    [Fact]
    public void CollectorTypeAnnotationsSeparateEntries()
    {
        var mds = Microdescriptor.ParseAll(Bytes("metrics-lib-2017", "2017-07-17-17-20-00-micro"));
        Assert.Equal(14, mds.Count);
        Assert.All(mds, m => Assert.True(m.HasTapOnionKey));
    }

    private const string Ntor = "TNQpEp4ZLF3UitmQk8lHKVF0LBIiqxRXovZF2dIxg2s";

    [Fact]
    public void NtorKeyPaddedOrNot()
    {
        var a = Microdescriptor.ParseAll($"onion-key\nntor-onion-key {Ntor}=\n");
        var b = Microdescriptor.ParseAll($"onion-key\nntor-onion-key {Ntor}\n");
        Assert.Equal(a[0].NtorOnionKey, b[0].NtorOnionKey);
        Assert.NotEqual(a[0].Digest, b[0].Digest); // different text, different digest
    }

    [Fact]
    public void OnionKeyWithoutTapKeyStartsAnEntry()
    {
        // Proposal 350: the TAP key may be left out of "onion-key".
        var text = $"onion-key\nntor-onion-key {Ntor}\nid ed25519 k3TwldYWObTQkjmY83o+uG6xcbD5b/Zda8QPc/C5Ftg\nonion-key\nntor-onion-key {Ntor}\n";
        var mds = Microdescriptor.ParseAll(text);
        Assert.Equal(2, mds.Count);
        Assert.False(mds[0].HasTapOnionKey);
        Assert.NotNull(mds[0].Ed25519Id);
        Assert.Null(mds[1].Ed25519Id);
        Assert.Equal((1, 4), (mds[0].LineNumber, mds[1].LineNumber));
        var first = text[..(text.IndexOf("\nonion-key", StringComparison.Ordinal) + 1)];
        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes(first)), mds[0].Digest.ToArray());
    }

    [Fact]
    public void EntriesWithoutOnionKeyLineAreSeparatedByAnnotations()
    {
        var text = $"@last-listed 2026-01-01 00:00:00\nntor-onion-key {Ntor}\n@last-listed 2026-01-01 00:00:00\nntor-onion-key {Ntor}\np accept 80\n";
        var mds = Microdescriptor.ParseAll(text);
        Assert.Equal(2, mds.Count);
        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes($"ntor-onion-key {Ntor}\n")), mds[0].Digest.ToArray());
        Assert.True(mds[1].ExitPolicy.AllowsPort(80));
        Assert.False(mds[1].ExitPolicy.AllowsPort(443));
    }

    [Fact]
    public void FamilyEntriesInEveryForm()
    {
        var md = Microdescriptor.ParseAll("onion-key\nfamily $0BC8BA32CC3CB0F598E0C92778F7C0946DFBCE91 $195712E96FD1C1B18D14D09E9E4E7A6416E23B2C=nick $22404A3E87F2D7FE2FC6359FDE71B6DC2D6E730F~n2 plainnick $123\nfamily-ids ed25519:abc rlwe:xyz\n")[0];
        Assert.Equal(5, md.Family.Count);
        Assert.Equal(3, md.FamilyRsaIds.Count);
        Assert.Equal(["ed25519:abc", "rlwe:xyz"], md.FamilyIds);
    }

    [Theory]
    [InlineData("onion-key\nntor-onion-key AAAA\n", "'ntor-onion-key' must be base64 of 32 bytes")]
    [InlineData("onion-key\nntor-onion-key " + Ntor + "\nntor-onion-key " + Ntor + "\n", "appears twice")]
    [InlineData("onion-key\nid ed25519 AAAA\n", "'id ed25519' must be base64 of 32 bytes")]
    [InlineData("onion-key\np allow 80\n", "must start with 'accept' or 'reject'")]
    [InlineData("onion-key\np accept 80,\n", "ends with ','")]
    [InlineData("onion-key\np accept 70000\n", "port")]
    [InlineData("onion-key\na 1.2.3.4\n", "'a' must be 'address:port'")]
    [InlineData("onion-key\na [::1:80\n", "brackets")]
    [InlineData("onion-key\nntor-onion-key " + Ntor + "\n-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n", "does not take an object")]
    [InlineData("onion-key\n-----BEGIN SIGNATURE-----\nAAAA\n-----END SIGNATURE-----\n", "expected 'RSA PUBLIC KEY'")]
    [InlineData("onion-key\nfamily a\nfamily b\n", "appears twice")]
    public void MalformedMicrodescriptorsAreRejected(string text, string message)
    {
        var e = Assert.Throws<NetDocException>(() => Microdescriptor.ParseAll(text));
        Assert.Contains(message, e.Message);
        Assert.True(e.LineNumber > 0);
    }

    [Fact]
    public void UnknownItemsAndIdTypesAreIgnored()
    {
        var md = Microdescriptor.ParseAll($"onion-key\nx-new 1\nid rsa1024 QqIYKeAXfHdaKZhrhE4SKiXuPJU\nid future zzz\nntor-onion-key {Ntor}\n")[0];
        Assert.NotNull(md.NtorOnionKey);
        Assert.Null(md.Ed25519Id);
    }

    [Fact]
    public void AddressesFromALines()
    {
        var md = Microdescriptor.ParseAll("onion-key\na [2001:db8::1]:9001\na 192.0.2.1:443\n")[0];
        Assert.Equal(["[2001:db8::1]:9001", "192.0.2.1:443"], md.Addresses.Select(a => a.ToString()));
    }
}
