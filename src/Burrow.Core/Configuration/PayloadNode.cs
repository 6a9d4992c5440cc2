using System.Globalization;

namespace Burrow.Core.Configuration;

/// <summary>What a payload value is, whatever form (JSON, TOML, hashtable) it came in.</summary>
internal enum PayloadNodeKind
{
    Table,
    Array,
    String,
    Boolean,
    Integer,
    Float,
    DateTime,
    Null,
    /// <summary>A hashtable value of a type no payload key accepts (a ScriptBlock, a char...).</summary>
    Other,
}

/// <summary>
/// The common tree every payload form is read into, so the schema is checked once
/// (<see cref="PayloadValidator"/>). Positions are 1-based and known for text forms only.
/// </summary>
internal sealed class PayloadNode
{
    private PayloadNode(PayloadNodeKind kind, int? line, int? column)
    {
        Kind = kind;
        Line = line;
        Column = column;
    }

    public PayloadNodeKind Kind { get; }
    public int? Line { get; }
    public int? Column { get; }

    public string String { get; private init; } = "";
    public bool Boolean { get; private init; }

    /// <summary>The integer; saturated to long's range when <see cref="IntegerOverflow"/>.</summary>
    public long Integer { get; private init; }
    public bool IntegerOverflow { get; private init; }
    public double Float { get; private init; }

    /// <summary>How the value reads in an error message (numbers as written, type names for Other).</summary>
    public string Display { get; private init; } = "";

    public IReadOnlyList<PayloadMember> Members { get; private init; } = [];
    public IReadOnlyList<PayloadNode> Items { get; private init; } = [];

    /// <summary>Hashtable keys are case-insensitive in PowerShell; JSON and TOML keys are not.</summary>
    public StringComparer KeyComparer { get; private init; } = StringComparer.Ordinal;

    public static PayloadNode OfString(string value, int? line = null, int? column = null)
        => new(PayloadNodeKind.String, line, column) { String = value, Display = value };

    public static PayloadNode OfBoolean(bool value, int? line = null, int? column = null)
        => new(PayloadNodeKind.Boolean, line, column) { Boolean = value, Display = value ? "true" : "false" };

    public static PayloadNode OfInteger(long value, int? line = null, int? column = null)
        => new(PayloadNodeKind.Integer, line, column) { Integer = value, Display = value.ToString(CultureInfo.InvariantCulture) };

    /// <summary>An integer too large for long; kept as written so messages show it.</summary>
    public static PayloadNode OfHugeInteger(bool negative, string written, int? line = null, int? column = null)
        => new(PayloadNodeKind.Integer, line, column)
        {
            Integer = negative ? long.MinValue : long.MaxValue,
            IntegerOverflow = true,
            Display = Shorten(written),
        };

    public static PayloadNode OfFloat(double value, string? written = null, int? line = null, int? column = null)
        => new(PayloadNodeKind.Float, line, column)
        {
            Float = value,
            Display = Shorten(written ?? value.ToString("R", CultureInfo.InvariantCulture)),
        };

    public static PayloadNode OfDateTime(string written, int? line = null, int? column = null)
        => new(PayloadNodeKind.DateTime, line, column) { Display = Shorten(written) };

    public static PayloadNode OfNull(int? line = null, int? column = null)
        => new(PayloadNodeKind.Null, line, column) { Display = "null" };

    public static PayloadNode OfOther(string typeName)
        => new(PayloadNodeKind.Other, null, null) { Display = typeName };

    public static PayloadNode OfTable(IReadOnlyList<PayloadMember> members, StringComparer keyComparer, int? line = null, int? column = null)
        => new(PayloadNodeKind.Table, line, column) { Members = members, KeyComparer = keyComparer };

    public static PayloadNode OfArray(IReadOnlyList<PayloadNode> items, int? line = null, int? column = null)
        => new(PayloadNodeKind.Array, line, column) { Items = items };

    /// <summary>The member named <paramref name="key"/> under this table's comparer, or null.</summary>
    public PayloadMember? Find(string key)
    {
        foreach (var m in Members)
            if (KeyComparer.Equals(m.Key, key))
                return m;
        return null;
    }

    /// <summary>"a string ('x')", "an integer (70000)", "a table": what was found, for type errors.</summary>
    public string Describe() => Kind switch
    {
        PayloadNodeKind.String => $"a string ({Quote(String)})",
        PayloadNodeKind.Boolean => $"a boolean ({Display})",
        PayloadNodeKind.Integer => $"an integer ({Display})",
        PayloadNodeKind.Float => $"a float ({Display})",
        PayloadNodeKind.DateTime => $"a date-time ({Display})",
        PayloadNodeKind.Null => "null",
        PayloadNodeKind.Table => "a table",
        PayloadNodeKind.Array => "an array",
        _ => $"a value of type {Display}",
    };

    /// <summary>The value as it appears in messages: strings quoted, shortened and escaped.</summary>
    public string Show() => Kind == PayloadNodeKind.String ? Quote(String) : Display;

    /// <summary>'value' with control characters escaped and long values shortened, safe for one-line messages.</summary>
    public static string Quote(string value)
    {
        var s = Shorten(value);
        var sb = new System.Text.StringBuilder(s.Length + 2).Append('\'');
        foreach (var c in s)
        {
            if (char.IsControl(c))
                sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else
                sb.Append(c);
        }
        return sb.Append('\'').ToString();
    }

    private static string Shorten(string s) => s.Length <= 80 ? s : string.Concat(s.AsSpan(0, 77), "...");
}

/// <summary>A key of a table with its value; the position is the key's (1-based) when known.</summary>
internal sealed record PayloadMember(string Key, PayloadNode Value, int? Line = null, int? Column = null);
