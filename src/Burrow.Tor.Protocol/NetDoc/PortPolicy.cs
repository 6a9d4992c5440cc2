// Exit policy summaries: "p"/"p6" lines in microdescriptors and the ns consensus
// (dir-spec 3.4.1 "p", 3.8.2 "Encoding port lists", 3.3).
using System.Text;

namespace Burrow.Tor.NetDoc;

/// <summary>
/// "accept 80,443,1000-2000" or "reject 1-1024": the ports a relay exits to for most
/// addresses. Ranges are kept sorted and merged, so <see cref="AllowsPort"/> is a binary search.
/// </summary>
internal sealed class PortPolicy
{
    /// <summary>What a missing "p"/"p6" line means: "reject 1-65535".</summary>
    public static PortPolicy RejectAll { get; } = new(false, [new PortRange(1, 65535)]);

    public static PortPolicy AcceptAll { get; } = new(true, [new PortRange(1, 65535)]);

    private readonly PortRange[] _ranges;

    private PortPolicy(bool isAccept, PortRange[] ranges)
    {
        IsAccept = isAccept;
        _ranges = ranges;
    }

    /// <summary>True for an "accept" list, false for a "reject" list.</summary>
    public bool IsAccept { get; }

    public IReadOnlyList<PortRange> Ranges => _ranges;

    /// <summary>Whether exits to <paramref name="port"/> are allowed. Port 0 never is (dir-spec 2.1.3).</summary>
    public bool AllowsPort(int port)
    {
        if (port is < 1 or > 65535)
            return false;
        int lo = 0, hi = _ranges.Length - 1;
        var listed = false;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var r = _ranges[mid];
            if (port < r.Low)
                hi = mid - 1;
            else if (port > r.High)
                lo = mid + 1;
            else
            {
                listed = true;
                break;
            }
        }
        return listed == IsAccept;
    }

    /// <summary>Whether any port at all is allowed (false for "reject 1-65535").</summary>
    public bool AllowsAnyPort
    {
        get
        {
            if (IsAccept)
                return _ranges.Any(r => r.High >= 1);
            var covered = 0;
            foreach (var r in _ranges)
                covered += Math.Min((int)r.High, 65535) - Math.Max((int)r.Low, 1) + 1;
            return covered < 65535;
        }
    }

    public static PortPolicy Parse(string summary) => Parse(Encoding.Latin1.GetBytes(summary), 0, "p");

    /// <summary>Parses the arguments of a "p"/"p6" line: ("accept" / "reject") SP PortList.</summary>
    public static PortPolicy Parse(ReadOnlySpan<byte> arguments, int line, string keyword)
    {
        var args = new ArgReader(arguments, line);
        var kind = args.Next(keyword, "'accept' or 'reject'");
        bool accept;
        if (kind.SequenceEqual("accept"u8))
            accept = true;
        else if (kind.SequenceEqual("reject"u8))
            accept = false;
        else
            throw new NetDocException($"'{keyword}' must start with 'accept' or 'reject'", line);
        var list = args.Next(keyword, "port list");

        var ranges = new List<PortRange>();
        while (!list.IsEmpty)
        {
            var comma = list.IndexOf((byte)',');
            var part = comma < 0 ? list : list[..comma];
            list = comma < 0 ? default : list[(comma + 1)..];
            if (comma >= 0 && list.IsEmpty)
                throw new NetDocException($"'{keyword}' port list ends with ','", line);
            var dash = part.IndexOf((byte)'-');
            ushort lo, hi;
            if (dash < 0)
                lo = hi = NetDocText.ParsePort(part, line, $"'{keyword}' port");
            else
            {
                lo = NetDocText.ParsePort(part[..dash], line, $"'{keyword}' port");
                hi = NetDocText.ParsePort(part[(dash + 1)..], line, $"'{keyword}' port");
                if (hi < lo)
                    throw new NetDocException($"'{keyword}' port range {lo}-{hi} is reversed", line);
            }
            ranges.Add(new PortRange(lo, hi));
        }
        return new PortPolicy(accept, Normalize(ranges));
    }

    private static PortRange[] Normalize(List<PortRange> ranges)
    {
        // Summaries are generated sorted and merged (3.8.2); sorting here keeps lookups correct
        // for any input without trusting that.
        var sorted = true;
        for (var i = 1; i < ranges.Count; i++)
        {
            if (ranges[i].Low <= ranges[i - 1].High + 1)
            {
                sorted = false;
                break;
            }
        }
        if (sorted)
            return [.. ranges];
        ranges.Sort((a, b) => a.Low.CompareTo(b.Low));
        var merged = new List<PortRange>(ranges.Count);
        foreach (var r in ranges)
        {
            if (merged.Count > 0 && r.Low <= merged[^1].High + 1)
                merged[^1] = new PortRange(merged[^1].Low, Math.Max(merged[^1].High, r.High));
            else
                merged.Add(r);
        }
        return [.. merged];
    }

    public override string ToString()
    {
        var sb = new StringBuilder(IsAccept ? "accept " : "reject ");
        for (var i = 0; i < _ranges.Length; i++)
        {
            if (i > 0)
                sb.Append(',');
            sb.Append(_ranges[i].Low);
            if (_ranges[i].High != _ranges[i].Low)
                sb.Append('-').Append(_ranges[i].High);
        }
        return sb.ToString();
    }
}
