using System.Collections;
using System.Globalization;
using System.Numerics;

namespace Burrow.Core.Configuration;

/// <summary>
/// Reads a generic tree (what a PowerShell hashtable becomes: string keys, scalars, object[]
/// arrays, nested IDictionary) into the common tree. Keys match case-insensitively as they do in
/// PowerShell hashtables, so keys differing only in case are refused. Keys are sorted so
/// problems are reported in the same order whatever the dictionary's enumeration order is.
/// Depth and size are bounded: a hashtable can contain itself.
/// </summary>
internal static class DictionaryPayloadReader
{
    private const int MaxDepth = 32;
    private const int MaxNodes = 100_000;

    public static PayloadNode Read(IDictionary tree, Func<object, object>? unwrap)
    {
        var nodes = 0;
        return Convert(tree, "", 0, unwrap, ref nodes, new Dictionary<object, string>(ReferenceEqualityComparer.Instance));
    }

    // ancestors: the tables and arrays being read, with their paths; meeting one again is a cycle, reported once where it closes.
    private static PayloadNode Convert(object? value, string path, int depth, Func<object, object>? unwrap, ref int nodes, Dictionary<object, string> ancestors)
    {
        if (++nodes > MaxNodes)
            throw Problem(path, $"the payload has more than {MaxNodes} values");
        if (depth > MaxDepth)
            throw Problem(path, $"nested deeper than {MaxDepth} levels");
        if (value is not null && unwrap is not null)
            value = unwrap(value);

        switch (value)
        {
            case null:
                return PayloadNode.OfNull();
            case string s:
                return PayloadNode.OfString(s);
            case bool b:
                return PayloadNode.OfBoolean(b);
            case sbyte or byte or short or ushort or int or uint or long:
                return PayloadNode.OfInteger(System.Convert.ToInt64(value, CultureInfo.InvariantCulture));
            case ulong u:
                return u <= long.MaxValue ? PayloadNode.OfInteger((long)u) : PayloadNode.OfHugeInteger(false, u.ToString(CultureInfo.InvariantCulture));
            case BigInteger big:
                return big >= long.MinValue && big <= long.MaxValue
                    ? PayloadNode.OfInteger((long)big)
                    : PayloadNode.OfHugeInteger(big.Sign < 0, big.ToString(CultureInfo.InvariantCulture));
            case decimal m:
                if (decimal.Truncate(m) == m)
                    return m >= long.MinValue && m <= long.MaxValue
                        ? PayloadNode.OfInteger((long)m)
                        : PayloadNode.OfHugeInteger(m < 0, m.ToString(CultureInfo.InvariantCulture));
                return PayloadNode.OfFloat((double)m, m.ToString(CultureInfo.InvariantCulture));
            case float f:
                return PayloadNode.OfFloat(f, f.ToString("R", CultureInfo.InvariantCulture));
            case double d:
                return PayloadNode.OfFloat(d);
            case IEnumerable when ancestors.TryGetValue(value, out var outer):
                throw Problem(path, $"this {(value is IDictionary ? "hashtable" : "array")} contains itself: it is the same object as " +
                    (outer.Length == 0 ? "the payload's top level" : $"'{outer}'") + "; a payload is a tree of tables, arrays and values");
            case IDictionary dictionary:
                ancestors.Add(dictionary, path);
                var table = ConvertTable(dictionary, path, depth, unwrap, ref nodes, ancestors);
                ancestors.Remove(dictionary);
                return table;
            case IEnumerable enumerable:
                ancestors.Add(enumerable, path);
                var items = new List<PayloadNode>();
                var index = 0;
                foreach (var item in enumerable)
                {
                    items.Add(Convert(item, $"{path}[{index}]", depth + 1, unwrap, ref nodes, ancestors));
                    index++;
                }
                ancestors.Remove(enumerable);
                return PayloadNode.OfArray(items);
            default:
                return PayloadNode.OfOther(value.GetType().FullName ?? value.GetType().Name);
        }
    }

    private static PayloadNode ConvertTable(IDictionary dictionary, string path, int depth, Func<object, object>? unwrap, ref int nodes, Dictionary<object, string> ancestors)
    {
        var entries = new List<(string Key, object? Value)>(dictionary.Count);
        foreach (DictionaryEntry entry in dictionary)
        {
            var key = unwrap is null ? entry.Key : unwrap(entry.Key);
            if (key is not string name)
                throw Problem(path, $"keys must be strings; found a key of type {key.GetType().FullName} ({PayloadNode.Quote(System.Convert.ToString(key, CultureInfo.InvariantCulture) ?? "")})");
            if (++nodes > MaxNodes)
                throw Problem(path, $"the payload has more than {MaxNodes} values");
            entries.Add((name, entry.Value));
        }
        entries.Sort((a, b) =>
        {
            var c = StringComparer.OrdinalIgnoreCase.Compare(a.Key, b.Key);
            return c != 0 ? c : StringComparer.Ordinal.Compare(a.Key, b.Key);
        });

        var members = new List<PayloadMember>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var (key, child) = entries[i];
            var childPath = path.Length == 0 ? key : $"{path}.{key}";
            if (i > 0 && StringComparer.OrdinalIgnoreCase.Equals(entries[i - 1].Key, key))
                throw Problem(childPath, $"the keys {PayloadNode.Quote(entries[i - 1].Key)} and {PayloadNode.Quote(key)} differ only in case; keys are case-insensitive here, give it once");
            members.Add(new PayloadMember(key, Convert(child, childPath, depth + 1, unwrap, ref nodes, ancestors)));
        }
        return PayloadNode.OfTable(members, StringComparer.OrdinalIgnoreCase);
    }

    private static PayloadException Problem(string path, string what)
        => new(new PayloadError(path, path.Length == 0 ? what : $"{path}: {what}"));
}
