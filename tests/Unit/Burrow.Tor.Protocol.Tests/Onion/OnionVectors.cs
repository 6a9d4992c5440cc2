using System.Text.RegularExpressions;
using Burrow.Tests;

namespace Burrow.Tor.Tests.Onion;

/// <summary>Reads the onion-service vector files in place (../shared/testdata/tor/vectors).</summary>
internal static class OnionVectors
{
    public static string Text(params string[] parts) => File.ReadAllText(TestPaths.Tor(parts));

    /// <summary>"name = HEX" on one line of a vectors/*.txt file.</summary>
    public static byte[] Hex(string file, string section, string name)
    {
        var text = Text("vectors", file);
        if (section.Length > 0)
            text = text[text.IndexOf(section, StringComparison.Ordinal)..];
        var m = Regex.Match(text, "^" + Regex.Escape(name) + @"(?: \([^)]*\))? = ([0-9A-Fa-f]+)", RegexOptions.Multiline);
        Assert.True(m.Success, $"{name} not found in {file}");
        return Convert.FromHexString(m.Groups[1].Value);
    }

    /// <summary>A multi-line hex value "NAME = HEX" continued by lines of hex only, from the rend-spec appendix G text.</summary>
    public static byte[] SpecHex(string name)
    {
        var lines = Text("vectors", "rend-spec-v3_appG1_hs-ntor.txt").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var m = Regex.Match(lines[i], @"^\s*" + Regex.Escape(name) + @"\s*=\s*([0-9A-F]+)\s*$");
            if (!m.Success)
                continue;
            var hex = new System.Text.StringBuilder(m.Groups[1].Value);
            for (var k = i + 1; k < lines.Length && Regex.IsMatch(lines[k], @"^\s*[0-9A-F]+\s*$"); k++)
                hex.Append(lines[k].Trim());
            return Convert.FromHexString(hex.ToString());
        }
        Assert.Fail($"{name} not found in the hs-ntor vector");
        return [];
    }

    /// <summary>The INTRODUCE1 body of the appendix: the hex block after "body as H | X | C | M:".</summary>
    public static byte[] SpecIntroduce1Body()
    {
        var text = Text("vectors", "rend-spec-v3_appG1_hs-ntor.txt");
        var start = text.IndexOf("H | X | C | M:", StringComparison.Ordinal);
        var after = text[(start + "H | X | C | M:".Length)..];
        var m = Regex.Match(after, @"^\s*((?:[ ]*[0-9A-F]+[ ]*\n)+)", RegexOptions.None);
        return Convert.FromHexString(Regex.Replace(m.Groups[1].Value, @"\s+", ""));
    }
}
