using System.Text;
using Burrow.Tor.NetDoc;
using static Burrow.Tor.Tests.NetDoc.NetDocTestData;

namespace Burrow.Tor.Tests.NetDoc;

/// <summary>
/// Randomly corrupted documents (fixed seeds) must give a result or a NetDocException,
/// never another exception type.
/// </summary>
public class NetDocRobustnessTests
{
    private const int Iterations = 700;

    public enum Mutation { FlipBytes, Truncate, DeleteLine, DuplicateLine, SwapLines, InsertGarbage }

    public static TheoryData<string, Mutation> Cases()
    {
        var data = new TheoryData<string, Mutation>();
        foreach (var doc in new[] { "consensus", "certs", "microdescs" })
            foreach (var m in Enum.GetValues<Mutation>())
                data.Add(doc, m);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CorruptedDocumentsOnlyFailWithNetDocException(string document, Mutation mutation)
    {
        var original = document switch
        {
            "consensus" => Bytes("private-network", "cached-microdesc-consensus"),
            "certs" => Bytes("private-network", "cached-certs"),
            _ => Bytes("private-network", "cached-microdescs"),
        };
        var certs = Certs("private-network", "cached-certs");
        var authorities = PrivateAuthorities();
        var rng = new Random(HashCode.Combine(document.Length, (int)mutation) ^ 0x5EED);
        int parsed = 0, rejected = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var input = Mutate(original, mutation, rng);
            try
            {
                switch (document)
                {
                    case "consensus":
                        var c = MicrodescConsensus.Parse(input);
                        var v = ConsensusVerifier.Verify(c, certs, authorities, c.ValidAfter);
                        _ = v.ToString();
                        break;
                    case "certs":
                        var cs = AuthorityCertificate.ParseAll(input);
                        _ = cs.Count(x => x.IsValid);
                        break;
                    default:
                        _ = Microdescriptor.ParseAll(input).Count;
                        break;
                }
                parsed++;
            }
            catch (NetDocException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"{document}/{mutation} iteration {i}: {e.GetType().Name} escaped: {e}\n--- input ---\n{Encoding.Latin1.GetString(input)}");
            }
        }
        Assert.Equal(Iterations, parsed + rejected);
    }

    [Fact]
    public void CorruptedFullConsensusOnlyFailsWithNetDocException()
    {
        var original = Bytes("network-2026-06-27-md", "cached-microdesc-consensus");
        var rng = new Random(2026);
        for (var i = 0; i < 60; i++)
        {
            var input = Mutate(original, (Mutation)(i % 6), rng);
            try
            {
                MicrodescConsensus.Parse(input);
            }
            catch (NetDocException)
            {
            }
        }
    }

    [Fact]
    public void TruncationAtEveryLineOfTheConsensusIsHandled()
    {
        var original = Bytes("private-network", "cached-microdesc-consensus");
        var ok = 0;
        for (var i = 0; i < original.Length; i++)
        {
            if (original[i] != (byte)'\n' && i % 7 != 0)
                continue;
            try
            {
                MicrodescConsensus.Parse(original.AsSpan(0, i));
                ok++;
            }
            catch (NetDocException)
            {
            }
        }
        // Only cuts inside the last signature's trailing part can still parse.
        Assert.True(ok < 10);
    }

    private const string Specials = "\n -=:.,@\r\t0A/+[]";

    internal static byte[] Mutate(byte[] doc, Mutation mutation, Random rng)
    {
        switch (mutation)
        {
            case Mutation.FlipBytes:
            {
                var copy = (byte[])doc.Clone();
                var n = rng.Next(1, 4);
                for (var k = 0; k < n; k++)
                {
                    var pos = rng.Next(copy.Length);
                    copy[pos] = rng.Next(4) switch
                    {
                        0 => (byte)rng.Next(256),
                        1 => (byte)(copy[pos] ^ (1 << rng.Next(8))),
                        2 => (byte)Specials[rng.Next(Specials.Length)],
                        _ => (byte)rng.Next(0x20, 0x7F),
                    };
                }
                return copy;
            }
            case Mutation.Truncate:
                return doc[..rng.Next(doc.Length)];
            case Mutation.InsertGarbage:
            {
                var pos = rng.Next(doc.Length);
                var garbage = new byte[rng.Next(1, 40)];
                rng.NextBytes(garbage);
                return [.. doc[..pos], .. garbage, .. doc[pos..]];
            }
        }
        var lines = Encoding.Latin1.GetString(doc).Split('\n').ToList();
        var a = rng.Next(lines.Count);
        switch (mutation)
        {
            case Mutation.DeleteLine:
                lines.RemoveAt(a);
                break;
            case Mutation.DuplicateLine:
                lines.Insert(a, lines[a]);
                break;
            case Mutation.SwapLines:
                var b = rng.Next(lines.Count);
                (lines[a], lines[b]) = (lines[b], lines[a]);
                break;
        }
        return Encoding.Latin1.GetBytes(string.Join('\n', lines));
    }
}
