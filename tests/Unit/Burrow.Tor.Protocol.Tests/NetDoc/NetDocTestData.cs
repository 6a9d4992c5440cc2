using System.Text;
using Burrow.Tests;
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.Tests.NetDoc;

/// <summary>Paths, parsed documents and the authority lists of each era of test data.</summary>
internal static class NetDocTestData
{
    public static byte[] Bytes(params string[] parts) => File.ReadAllBytes(TestPaths.Tor(parts));

    public static string Text(params string[] parts) => Encoding.Latin1.GetString(Bytes(parts));

    public static MicrodescConsensus Consensus(params string[] parts) => MicrodescConsensus.Parse(Bytes(parts));

    public static IReadOnlyList<AuthorityCertificate> Certs(params string[] parts) => AuthorityCertificate.ParseAll(Bytes(parts));

    public static DateTime Utc(string s) => DateTime.SpecifyKind(DateTime.Parse(s, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);

    /// <summary>The nine authorities of 2026 (as listed by the 2026-06-27 consensus).</summary>
    public static readonly IReadOnlyList<DirAuthority> Authorities2026 =
    [
        new("dannenberg", "0232AF901C31A04EE9848595AF9BB7620D4C5B2E"),
        new("longclaw", "23D15D965BC35114467363C165C4F724B64B4F66"),
        new("bastet", "27102BC123E7AF1D4741AE047E160C91ADC76B21"),
        new("tor26", "2F3DF9CA0E5D36F2685A2DA67184EB8DCB8CBA8C"),
        new("maatuska", "49015F787433103580E3B66A1707A00E60F2D15B"),
        new("faravahar", "70849B868D606BAECFB6128C5E3D782029AA394F"),
        new("dizum", "E8A9C45EDE6D711294FADF8E7951F4DE6CA56B58"),
        new("gabelmoo", "ED03BB616EB2F60BEC80151114BB25CEF515B226"),
        new("moria1", "F533C81CEF0BC0267857C99B2F471ADF249FA232"),
    ];

    /// <summary>The nine authorities of 2019-2022 (old tor26, moria1 and Faravahar keys).</summary>
    public static readonly IReadOnlyList<DirAuthority> Authorities2019To2022 =
    [
        new("dannenberg", "0232AF901C31A04EE9848595AF9BB7620D4C5B2E"),
        new("tor26", "14C131DFC5C6F93646BE72FA1401C02A8DF2E8B4"),
        new("longclaw", "23D15D965BC35114467363C165C4F724B64B4F66"),
        new("bastet", "27102BC123E7AF1D4741AE047E160C91ADC76B21"),
        new("maatuska", "49015F787433103580E3B66A1707A00E60F2D15B"),
        new("moria1", "D586D18309DED4CD6D57C18FDB97EFA96D330566"),
        new("dizum", "E8A9C45EDE6D711294FADF8E7951F4DE6CA56B58"),
        new("gabelmoo", "ED03BB616EB2F60BEC80151114BB25CEF515B226"),
        new("Faravahar", "EFCBE720AB3A82B99F9E953CD5BF50F7EEFC7B97"),
    ];

    /// <summary>The loopback test network's authorities, from private-network/dirauthorities.conf.</summary>
    public static IReadOnlyList<DirAuthority> PrivateAuthorities()
    {
        var result = new List<DirAuthority>();
        foreach (var line in File.ReadAllLines(TestPaths.Tor("private-network", "dirauthorities.conf")))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 3 || parts[0] != "DirAuthority")
                continue;
            var v3 = parts.First(p => p.StartsWith("v3ident=", StringComparison.Ordinal))["v3ident=".Length..];
            result.Add(new DirAuthority(parts[1], v3));
        }
        return result;
    }

    /// <summary>Replaces the first occurrence of <paramref name="find"/> (which must exist).</summary>
    public static byte[] Replace(byte[] doc, string find, string replacement)
    {
        var text = Encoding.Latin1.GetString(doc);
        var i = text.IndexOf(find, StringComparison.Ordinal);
        Assert.True(i >= 0, $"'{find}' not found");
        return Encoding.Latin1.GetBytes(text[..i] + replacement + text[(i + find.Length)..]);
    }

    /// <summary>Removes the signature item (keyword line and object) that starts with <paramref name="signatureLinePrefix"/>.</summary>
    public static byte[] DropSignature(byte[] doc, string signatureLinePrefix)
    {
        var text = Encoding.Latin1.GetString(doc);
        var i = text.IndexOf(signatureLinePrefix, StringComparison.Ordinal);
        Assert.True(i >= 0, $"'{signatureLinePrefix}' not found");
        var end = text.IndexOf("-----END SIGNATURE-----\n", i, StringComparison.Ordinal) + "-----END SIGNATURE-----\n".Length;
        return Encoding.Latin1.GetBytes(text[..i] + text[end..]);
    }
}
