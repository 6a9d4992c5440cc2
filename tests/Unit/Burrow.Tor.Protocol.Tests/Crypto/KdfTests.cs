using System.Text;
using Burrow.Tor.Crypto;

namespace Burrow.Tor.Tests.Crypto;

public class KdfTests
{
    [Fact]
    public void KdfTorMatchesTorTestVectors()
    {
        var v = VectorFile.Load("tor_test_crypto_kdf-tor_hkdf.txt");
        // The [KDF-TOR] section is the first three input/output pairs.
        var pairs = Pairs(v).Take(3).ToList();
        Assert.Equal(3, pairs.Count);
        foreach (var (input, output) in pairs)
        {
            var expected = Convert.FromHexString(output);
            Assert.Equal(100, expected.Length);
            var actual = new byte[100];
            KdfTor.Derive(Encoding.ASCII.GetBytes(input), actual);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void KdfRfc5869WithNtorLabelsMatchesTorTestVectors()
    {
        var v = VectorFile.Load("tor_test_crypto_kdf-tor_hkdf.txt");
        var pairs = Pairs(v).Skip(3).ToList();
        Assert.Equal(2, pairs.Count);
        foreach (var (input, output) in pairs)
            Assert.Equal(Convert.FromHexString(output), NtorHkdf(Encoding.ASCII.GetBytes(input), 100));
    }

    [Fact]
    public void KdfRfc5869MatchesRfc5869AppendixA()
    {
        var v = VectorFile.Load("tor_test_crypto_kdf-tor_hkdf.txt");
        var cases = 0;
        for (var i = 0; i < v.Entries.Count; i++)
        {
            if (v.Entries[i].Key != "case")
                continue;
            string Get(string k) => v.Entries.Skip(i).First(e => e.Key == k).Value;
            var okm = new byte[int.Parse(Get("L"))];
            KdfRfc5869.Derive(Convert.FromHexString(Get("ikm")), Convert.FromHexString(Get("salt")), Convert.FromHexString(Get("info")), okm);
            Assert.Equal(Convert.FromHexString(Get("okm")), okm);
            cases++;
        }
        Assert.Equal(3, cases);
    }

    [Fact]
    public void KdfRfc5869MatchesProposal216Vectors()
    {
        // Free-form spec text: INPUT: "..." then OUTPUT: five lines of hex.
        var lines = File.ReadAllLines(Burrow.Tests.TestPaths.Tor("vectors", "prop216_hkdf-sha256.txt"));
        var inputs = new List<string>();
        var outputs = new List<byte[]>();
        for (var i = 0; i < lines.Length; i++)
        {
            var t = lines[i].Trim();
            if (t.StartsWith("INPUT:", StringComparison.Ordinal))
            {
                var q = t.IndexOf('"');
                inputs.Add(t[(q + 1)..t.LastIndexOf('"')]);
            }
            else if (t.StartsWith("OUTPUT:", StringComparison.Ordinal))
            {
                var hex = new StringBuilder(t["OUTPUT:".Length..].Trim());
                for (var j = i + 1; j < lines.Length && System.Text.RegularExpressions.Regex.IsMatch(lines[j].Trim(), "^[0-9a-f]+$"); j++)
                    hex.Append(lines[j].Trim());
                outputs.Add(Convert.FromHexString(hex.ToString()));
            }
        }
        Assert.Equal(3, inputs.Count);
        Assert.Equal(3, outputs.Count);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(100, outputs[i].Length);
            Assert.Equal(outputs[i], NtorHkdf(Encoding.ASCII.GetBytes(inputs[i]), 100));
        }
    }

    [Fact]
    public void OutputLimitsAreEnforced()
    {
        Assert.Throws<ArgumentException>(() => KdfTor.Derive([], new byte[KdfTor.MaxOutputLength + 1]));
        Assert.Throws<ArgumentException>(() => KdfRfc5869.Derive([1], [], [], new byte[KdfRfc5869.MaxOutputLength + 1]));
        KdfTor.Derive([], new byte[KdfTor.MaxOutputLength]);
    }

    [Fact]
    public void CircuitKeyLayoutsSplitAsTheSpecSays()
    {
        var material = Enumerable.Range(0, 92).Select(i => (byte)i).ToArray();
        var ntor = CircuitKeys.FromRfc5869Layout(material);
        Assert.Equal(material[..20], ntor.Df);
        Assert.Equal(material[20..40], ntor.Db);
        Assert.Equal(material[40..56], ntor.Kf);
        Assert.Equal(material[56..72], ntor.Kb);
        Assert.Equal(material[72..92], ntor.Kh);
        var tap = CircuitKeys.FromKdfTorLayout(material);
        Assert.Equal(material[..20], tap.Kh);
        Assert.Equal(material[20..40], tap.Df);
        Assert.Equal(material[40..60], tap.Db);
        Assert.Equal(material[60..76], tap.Kf);
        Assert.Equal(material[76..92], tap.Kb);
    }

    private static byte[] NtorHkdf(byte[] ikm, int length)
    {
        var okm = new byte[length];
        KdfRfc5869.Derive(ikm, "ntor-curve25519-sha256-1:key_extract"u8, "ntor-curve25519-sha256-1:key_expand"u8, okm);
        return okm;
    }

    private static IEnumerable<(string Input, string Output)> Pairs(VectorFile v)
    {
        for (var i = 0; i + 1 < v.Entries.Count; i++)
            if (v.Entries[i].Key == "input" && v.Entries[i + 1].Key == "output")
                yield return (v.Entries[i].Value, v.Entries[i + 1].Value);
    }
}
