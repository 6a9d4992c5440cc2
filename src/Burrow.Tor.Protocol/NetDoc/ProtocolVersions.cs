// Subprotocol version lists ("proto"/"pr" entries, tor-spec 9; dir-spec 2.1.1 "proto",
// 3.4.1 "pr" and the recommended/required protocol lines).
using System.Text;

namespace Burrow.Tor.NetDoc;

/// <summary>
/// A set like "Link=1-5 Relay=1-4 HSDir=2". Versions are 0..63, so each protocol's versions
/// are kept as a 64-bit mask. Instances are immutable and shared between routers with the
/// same line.
/// </summary>
internal sealed class ProtocolVersions
{
    public const int MaxVersion = 63;
    private const int MaxEntries = 64;

    public static ProtocolVersions Empty { get; } = new([], []);

    private readonly string[] _names;
    private readonly ulong[] _masks;

    private ProtocolVersions(string[] names, ulong[] masks)
    {
        _names = names;
        _masks = masks;
    }

    public int Count => _names.Length;

    public IEnumerable<string> Protocols => _names;

    /// <summary>Bit v set when version v of <paramref name="protocol"/> is listed.</summary>
    public ulong VersionsOf(string protocol)
    {
        for (var i = 0; i < _names.Length; i++)
        {
            if (string.Equals(_names[i], protocol, StringComparison.Ordinal))
                return _masks[i];
        }
        return 0;
    }

    public bool Supports(string protocol, int version) =>
        (uint)version <= MaxVersion && (VersionsOf(protocol) & (1UL << version)) != 0;

    /// <summary>The entries of <paramref name="required"/> this set lacks, e.g. "Relay=5"; empty when all are present.</summary>
    public string MissingFrom(ProtocolVersions required)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < required._names.Length; i++)
        {
            var missing = required._masks[i] & ~VersionsOf(required._names[i]);
            if (missing != 0)
            {
                if (sb.Length > 0)
                    sb.Append(' ');
                AppendEntry(sb, required._names[i], missing);
            }
        }
        return sb.ToString();
    }

    public static ProtocolVersions Parse(string entries) => Parse(Encoding.Latin1.GetBytes(entries), 0);

    /// <summary>Parses space-separated "Name=Ranges" entries; ranges are "N" or "N-M" joined by commas.</summary>
    public static ProtocolVersions Parse(ReadOnlySpan<byte> entries, int line)
    {
        if (NetDocReader.TrimWhitespace(entries).IsEmpty)
            return Empty;
        var names = new List<string>();
        var masks = new List<ulong>();
        var args = new ArgReader(entries, line);
        while (args.TryNext(out var entry))
        {
            var eq = entry.IndexOf((byte)'=');
            if (eq <= 0)
                throw new NetDocException($"protocol entry '{NetDocText.Latin1(NetDocText.Clip(entry))}' must be 'Name=versions'", line);
            var name = entry[..eq];
            foreach (var c in name)
            {
                if (!NetDocReader.IsKeywordChar(c))
                    throw new NetDocException($"invalid protocol name '{NetDocText.Latin1(NetDocText.Clip(name))}'", line);
            }
            var mask = ParseRanges(entry[(eq + 1)..], line);
            var nameText = Encoding.Latin1.GetString(name);
            if (names.Contains(nameText))
                throw new NetDocException($"protocol '{nameText}' is listed twice", line);
            if (names.Count == MaxEntries)
                throw new NetDocException($"more than {MaxEntries} protocol entries", line);
            names.Add(nameText);
            masks.Add(mask);
        }
        return new ProtocolVersions([.. names], [.. masks]);
    }

    private static ulong ParseRanges(ReadOnlySpan<byte> s, int line)
    {
        ulong mask = 0;
        while (!s.IsEmpty)
        {
            var comma = s.IndexOf((byte)',');
            var part = comma < 0 ? s : s[..comma];
            s = comma < 0 ? default : s[(comma + 1)..];
            if (comma >= 0 && s.IsEmpty)
                throw new NetDocException("protocol version list ends with ','", line);
            var dash = part.IndexOf((byte)'-');
            ulong lo, hi;
            if (dash < 0)
                lo = hi = Version(part, line);
            else
            {
                lo = Version(part[..dash], line);
                hi = Version(part[(dash + 1)..], line);
                if (hi < lo)
                    throw new NetDocException($"protocol version range {lo}-{hi} is reversed", line);
            }
            var bits = hi - lo == 63 ? ulong.MaxValue : ((1UL << (int)(hi - lo + 1)) - 1) << (int)lo;
            mask |= bits;
        }
        return mask;
    }

    private static ulong Version(ReadOnlySpan<byte> s, int line)
    {
        if (!NetDocText.TryParseUInt(s, MaxVersion, out var v))
            throw new NetDocException($"protocol version must be an integer from 0 to {MaxVersion}, got '{NetDocText.Latin1(NetDocText.Clip(s))}'", line);
        return v;
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < _names.Length; i++)
        {
            if (i > 0)
                sb.Append(' ');
            AppendEntry(sb, _names[i], _masks[i]);
        }
        return sb.ToString();
    }

    private static void AppendEntry(StringBuilder sb, string name, ulong mask)
    {
        sb.Append(name).Append('=');
        var first = true;
        for (var v = 0; v <= MaxVersion; v++)
        {
            if ((mask & (1UL << v)) == 0)
                continue;
            var end = v;
            while (end < MaxVersion && (mask & (1UL << (end + 1))) != 0)
                end++;
            if (!first)
                sb.Append(',');
            first = false;
            sb.Append(v);
            if (end > v)
                sb.Append('-').Append(end);
            v = end;
        }
    }
}
