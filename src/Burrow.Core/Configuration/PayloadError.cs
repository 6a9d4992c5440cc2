using System.Globalization;

namespace Burrow.Core.Configuration;

/// <summary>
/// One problem in a payload. <see cref="Description"/> reads
/// "&lt;key path&gt;: &lt;what was wrong&gt;; accepted: &lt;what is accepted&gt;";
/// <see cref="KeyPath"/> is empty for problems with the whole payload (syntax, unreadable file).
/// </summary>
/// <param name="KeyPath">Dotted path of the offending key, with [i] for array items, e.g. <c>tcp_stack.kind</c>
/// or <c>arti.tor_network.fallback_caches[0].orports[1]</c>.</param>
/// <param name="Description">What was wrong and what is accepted, without the position.</param>
/// <param name="Line">1-based line in the payload text; null for hashtables or when unknown.</param>
/// <param name="Column">1-based column (characters) in the payload text; null when unknown.</param>
/// <param name="SourceName">The payload file, when the payload came from one.</param>
public sealed record PayloadError(string KeyPath, string Description, int? Line = null, int? Column = null, string? SourceName = null)
{
    /// <summary>The description followed by where it is, e.g. "mtu: ... (burrow.toml, line 3, column 1)".</summary>
    public override string ToString()
    {
        if (Line is null && SourceName is null)
            return Description;
        var where = new List<string>(3);
        if (SourceName is not null)
            where.Add(SourceName);
        if (Line is { } line)
            where.Add(string.Create(CultureInfo.InvariantCulture, $"line {line}"));
        if (Column is { } column)
            where.Add(string.Create(CultureInfo.InvariantCulture, $"column {column}"));
        return $"{Description} ({string.Join(", ", where)})";
    }
}
