using System.Globalization;
using System.Net;

namespace Burrow.Core.Configuration;

/// <summary>
/// What every section reader of the payload schema shares: typed reads of scalars, tables and arrays,
/// and the error list they fill. Each read that fails records one error (path, message, position)
/// and returns null, so a reader carries on and one run reports every problem, up to
/// <see cref="PayloadValidator.MaxErrors"/>. The messages' wording lives here, so every section says
/// "expected X, found Y; accepted: Z" the same way.
/// </summary>
internal sealed class SchemaReader(PayloadContext context)
{
    public const string EndPointAccepted = "IP:port or [IPv6]:port with port 1-65535";

    private readonly List<PayloadError> _errors = [];

    public PayloadContext Context => context;

    public IReadOnlyList<PayloadError> Errors => _errors;

    // ---- scalars ------------------------------------------------------------------------

    public int? ReadInteger(PayloadNode node, string path, int min, int max, string? accepted = null)
    {
        accepted ??= $"an integer from {min} to {max}";
        if (node.Kind != PayloadNodeKind.Integer)
        {
            TypeError(path, node, "an integer", accepted);
            return null;
        }
        if (node.IntegerOverflow || node.Integer < min || node.Integer > max)
        {
            Error(path, node, $"{node.Display} is out of range; accepted: {accepted}");
            return null;
        }
        return (int)node.Integer;
    }

    public string? ReadString(PayloadNode node, string path, string expected, string accepted)
    {
        if (node.Kind == PayloadNodeKind.String)
            return node.String;
        TypeError(path, node, expected, accepted);
        return null;
    }

    public bool? ReadBoolean(PayloadNode node, string path)
    {
        if (node.Kind == PayloadNodeKind.Boolean)
            return node.Boolean;
        TypeError(path, node, "a boolean", "true or false");
        return null;
    }

    /// <summary>CIDR networks (an array, or one string); host bits refused, each once. Empty allowed unless <paramref name="atLeastOne"/>.</summary>
    public List<IPNetwork>? ReadNetworks(PayloadNode node, string path, string accepted, bool atLeastOne = false)
    {
        var items = ListOf(node, path, "a CIDR string or an array of them", accepted);
        if (items is null)
            return null;
        if (atLeastOne && items.Count == 0)
        {
            Error(path, node, $"must list at least one network; accepted: {accepted}");
            return null;
        }
        var result = new List<IPNetwork>(items.Count);
        var ok = true;
        foreach (var (item, itemPath) in items)
        {
            if (ReadString(item, itemPath, "a CIDR string", accepted) is not { } text)
            {
                ok = false;
                continue;
            }
            switch (NetworkSyntax.TryParseCidr(text, out var network))
            {
                case NetworkSyntax.CidrProblem.None:
                    if (result.Contains(network))
                    {
                        Error(itemPath, item, $"{item.Show()} is listed twice; accepted: each network once");
                        ok = false;
                    }
                    result.Add(network);
                    break;
                case NetworkSyntax.CidrProblem.HostBits:
                    Error(itemPath, item, $"{item.Show()} has bits set after its prefix length; accepted: a network address (e.g. \"10.0.0.0/24\") or a single host (\"/32\" or \"/128\")");
                    ok = false;
                    break;
                default:
                    Error(itemPath, item, $"{item.Show()} is not a valid CIDR address; accepted: {accepted}");
                    ok = false;
                    break;
            }
        }
        return ok ? result : null;
    }

    public IPEndPoint? ReadEndPoint(PayloadNode node, string path, string accepted)
    {
        if (ReadString(node, path, "a string", accepted) is not { } text)
            return null;
        if (NetworkSyntax.TryParseEndPoint(text, out var endPoint))
            return endPoint;
        Error(path, node, $"{node.Show()} is not a valid address; accepted: {accepted}");
        return null;
    }

    public List<IPEndPoint>? ReadEndPoints(PayloadNode node, string path)
    {
        var items = ListOf(node, path, "an array of strings", EndPointAccepted);
        if (items is null)
            return null;
        if (items.Count == 0)
        {
            Error(path, node, $"must list at least one ORPort; accepted: {EndPointAccepted}");
            return null;
        }
        var result = new List<IPEndPoint>(items.Count);
        foreach (var (item, itemPath) in items)
            if (ReadEndPoint(item, itemPath, EndPointAccepted) is { } ep)
                result.Add(ep);
        return result.Count == items.Count ? result : null;
    }

    /// <summary>A folder: absolute, relative to the payload's base directory, or under ~/; returned absolute.</summary>
    public string? ReadDirectory(PayloadNode node, string path)
    {
        var accepted = $"an absolute path, a path relative to {context.BaseDirectory}, or one starting with ~/";
        if (node.Kind != PayloadNodeKind.String)
        {
            Error(path, node, $"must be a non-empty string; found {node.Describe()}; accepted: {accepted}");
            return null;
        }
        var text = node.String;
        if (string.IsNullOrWhiteSpace(text))
        {
            Error(path, node, "must be a non-empty string");
            return null;
        }
        if (text.Contains('\0'))
        {
            Error(path, node, $"{node.Show()} contains a NUL character; accepted: {accepted}");
            return null;
        }
        if (text.StartsWith('~'))
        {
            if (!(text == "~" || text.StartsWith("~/", StringComparison.Ordinal) || text.StartsWith("~\\", StringComparison.Ordinal)))
            {
                Error(path, node, $"{node.Show()}: only the current user's home (~ or ~/path) is expanded; accepted: {accepted}");
                return null;
            }
            if (string.IsNullOrEmpty(context.HomeDirectory))
            {
                Error(path, node, $"{node.Show()} starts with ~ but the home directory is unknown (HOME is not set); accepted: an absolute path or a path relative to {context.BaseDirectory}");
                return null;
            }
            text = text.Length <= 2 ? context.HomeDirectory : Path.Combine(context.HomeDirectory, text[2..]);
        }
        try
        {
            return Path.GetFullPath(text, context.BaseDirectory);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            Error(path, node, $"{node.Show()} is not a usable path ({e.Message}); accepted: {accepted}");
            return null;
        }
    }

    // ---- structure ----------------------------------------------------------------------

    /// <summary>A table's members by schema key; unknown keys were reported when it was read, once per table.</summary>
    public sealed class SectionView(PayloadNode node, string path)
    {
        public string Path => path;

        public (PayloadNode Node, string Path)? Get(string key)
            => node.Find(key) is { } m ? (m.Value, Join(path, key)) : null;
    }

    /// <summary>Reads a table whose keys are <paramref name="known"/>; each other key is an error with a "did you mean" hint.</summary>
    public SectionView? Section(PayloadNode node, string path, string[] known, string? knownLabel = null)
    {
        knownLabel ??= $"known keys in [{path}]";
        if (node.Kind != PayloadNodeKind.Table)
        {
            TypeError(path, node, "a table", $"a table with keys {string.Join(", ", known)}");
            return null;
        }
        foreach (var member in node.Members)
        {
            if (known.Contains(member.Key, node.KeyComparer))
                continue;
            var memberPath = Join(path, member.Key);
            var hint = Closest(member.Key, known) is { } close ? $" (did you mean '{close}'?)" : "";
            Add(new PayloadError(memberPath,
                $"unknown key {PayloadNode.Quote(memberPath)}{hint}; {knownLabel}: {string.Join(", ", known)}",
                member.Line ?? member.Value.Line, member.Column ?? member.Value.Column, context.SourceName));
        }
        return new SectionView(node, path);
    }

    /// <summary>The items of an array (or of a single value standing for a one-item array), with their paths.</summary>
    public List<(PayloadNode Node, string Path)>? ListOf(PayloadNode node, string path, string expected, string accepted)
    {
        if (node.Kind == PayloadNodeKind.Array)
            return node.Items.Select((item, i) => (item, string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]"))).ToList();
        if (node.Kind is PayloadNodeKind.String or PayloadNodeKind.Table)
            return [(node, path)];
        TypeError(path, node, expected, accepted);
        return null;
    }

    /// <summary>A key an entry must have: read with <paramref name="read"/>, or an "is missing" error.</summary>
    public T? Required<T>(SectionView entry, PayloadNode table, string key, string accepted, Func<PayloadNode, string, T?> read)
        where T : class
    {
        if (entry.Get(key) is { } found)
            return read(found.Node, found.Path);
        var path = Join(entry.Path, key);
        Error(path, table, $"is missing; accepted: {accepted}");
        return null;
    }

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    /// <summary>The known key closest to <paramref name="key"/> when it is a plausible typo (case-insensitive edit distance).</summary>
    internal static string? Closest(string key, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var k in known)
        {
            var d = EditDistance(key.ToLowerInvariant(), k);
            if (d < bestDistance)
            {
                best = k;
                bestDistance = d;
            }
        }
        var allowed = Math.Max(1, Math.Min(3, key.Length / 3));
        return bestDistance <= allowed ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        if (a.Length > 64 || b.Length > 64)
            return int.MaxValue;
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    // ---- errors -------------------------------------------------------------------------

    public void TypeError(string path, PayloadNode node, string expected, string accepted)
        => Error(path, node, $"expected {expected}, found {node.Describe()}; accepted: {accepted}");

    public void Error(string path, PayloadNode node, string what)
        => Add(new PayloadError(path, $"{path}: {what}", node.Line, node.Column, context.SourceName));

    /// <summary>Records an error and returns null, for use inside switch expressions.</summary>
    public T? Error<T>(string path, PayloadNode node, string what)
        where T : struct
    {
        Error(path, node, what);
        return null;
    }

    private void Add(PayloadError error)
    {
        if (_errors.Count < PayloadValidator.MaxErrors)
            _errors.Add(error);
    }
}
