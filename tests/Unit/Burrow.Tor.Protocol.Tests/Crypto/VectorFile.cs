using System.Text.RegularExpressions;

namespace Burrow.Tor.Tests.Crypto;

/// <summary>Reads the "name = value" lines of a test-vector file under testdata/tor/vectors, in order.</summary>
internal sealed partial class VectorFile
{
    private VectorFile(string path, List<KeyValuePair<string, string>> entries)
    {
        Path = path;
        Entries = entries;
    }

    public string Path { get; }

    public List<KeyValuePair<string, string>> Entries { get; }

    public static VectorFile Load(string name)
    {
        var path = Burrow.Tests.TestPaths.Tor("vectors", name);
        var entries = new List<KeyValuePair<string, string>>();
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith('#'))
                continue;
            var m = EntryLine().Match(line);
            if (m.Success)
                entries.Add(new(m.Groups[1].Value.Trim(), Unquote(m.Groups[2].Value.Trim())));
        }
        return new VectorFile(path, entries);
    }

    /// <summary>The value of the only entry with this name.</summary>
    public string this[string name] => Entries.Single(e => e.Key == name).Value;

    public byte[] Hex(string name) => Convert.FromHexString(this[name]);

    private static string Unquote(string v) => v.Length >= 2 && v[0] == '"' && v[^1] == '"' ? v[1..^1] : v;

    [GeneratedRegex(@"^([A-Za-z0-9_ ()-]+?)\s*=\s?(.*)$")]
    private static partial Regex EntryLine();
}
