using System.Globalization;
using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Parsing;
using Tomlyn.Serialization;

namespace Burrow.Core.Configuration;

/// <summary>
/// Reads a TOML payload into the common tree. The syntax parser validates first (it reports
/// redefined keys and tables, which the model deserializer lets through); the model is then
/// read with a metadata store so each key keeps its position for schema errors.
/// </summary>
internal static class TomlPayloadReader
{
    private const int MaxDepth = 32;

    /// <summary>The first TOML problem as (description, 1-based line, column); null when the text is valid TOML.</summary>
    public static (string Message, int? Line, int? Column)? FindSyntaxError(string text)
    {
        try
        {
            var document = SyntaxParser.Parse(text, new TomlSerializerOptions { MaxDepth = MaxDepth }, sourceName: null, validate: true);
            foreach (var d in document.Diagnostics)
                if (d.Kind == Tomlyn.Syntax.DiagnosticMessageKind.Error)
                    return (d.Message, d.Span.Start.Line + 1, d.Span.Start.Column + 1);
            return null;
        }
        catch (TomlException e)
        {
            return (FirstLine(e.Message), e.Line, e.Column);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            // Tomlyn 2.10.2 can fail while describing some errors (a backslash at the end of the
            // input ends in char.ConvertFromUtf32(-1)); still a TOML error, only without a position.
            return ("the TOML parser could not read it", null, null);
        }
    }

    public static PayloadNode Read(string text, string? sourceName, string syntaxPrefix = "invalid TOML: ")
    {
        if (FindSyntaxError(text) is { } error)
            throw new PayloadException(new PayloadError("", syntaxPrefix + error.Message, error.Line, error.Column, sourceName));
        var store = new TomlMetadataStore();
        TomlTable model;
        try
        {
            model = TomlSerializer.Deserialize<TomlTable>(text, new TomlSerializerOptions
            {
                MetadataStore = store,
                MaxDepth = MaxDepth,
                DuplicateKeyHandling = TomlDuplicateKeyHandling.Error,
            }) ?? new TomlTable();
        }
        catch (TomlException e)
        {
            throw new PayloadException(new PayloadError("", syntaxPrefix + FirstLine(e.Message), e.Line, e.Column, sourceName), e);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            throw new PayloadException(new PayloadError("", syntaxPrefix + "the TOML parser could not read it", null, null, sourceName), e);
        }
        return Convert(model, store, null, null, 0);
    }

    private static PayloadNode Convert(object? value, TomlMetadataStore store, int? line, int? column, int depth)
    {
        if (depth > MaxDepth)
            throw new PayloadException(new PayloadError("", $"invalid TOML: nested deeper than {MaxDepth} levels", line, column));
        switch (value)
        {
            case TomlTable table:
                store.TryGetProperties(table, out var metadata);
                var members = new List<PayloadMember>(table.Count);
                foreach (var (key, child) in table)
                {
                    int? kl = line, kc = column;
                    if (metadata is not null && metadata.TryGetProperty(key, out var property) && property is not null)
                    {
                        kl = property.Span.Start.Line + 1;
                        kc = property.Span.Start.Column + 1;
                    }
                    members.Add(new PayloadMember(key, Convert(child, store, kl, kc, depth + 1), kl, kc));
                }
                return PayloadNode.OfTable(members, StringComparer.Ordinal, line, column);
            case TomlArray array:
                // Items carry no positions of their own in the model; they point at their key.
                var items = new List<PayloadNode>(array.Count);
                foreach (var item in array)
                    items.Add(Convert(item, store, line, column, depth + 1));
                return PayloadNode.OfArray(items, line, column);
            case TomlTableArray tables:
                var entries = new List<PayloadNode>(tables.Count);
                foreach (var t in tables)
                    entries.Add(Convert(t, store, line, column, depth + 1));
                return PayloadNode.OfArray(entries, line, column);
            case string s:
                return PayloadNode.OfString(s, line, column);
            case bool b:
                return PayloadNode.OfBoolean(b, line, column);
            case long l:
                return PayloadNode.OfInteger(l, line, column);
            case double d:
                return PayloadNode.OfFloat(d, null, line, column);
            case null:
                return PayloadNode.OfNull(line, column);
            default:
                // Date-times and anything a later Tomlyn adds: kept as text for the type error.
                return PayloadNode.OfDateTime(System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? value.GetType().Name, line, column);
        }
    }

    private static string FirstLine(string message)
    {
        // Tomlyn's depth message tells the reader to change a serializer option; say what it means here.
        if (message.Contains("maximum depth", StringComparison.OrdinalIgnoreCase))
            return $"nested deeper than {MaxDepth} levels";
        var first = message.Split('\n', 2)[0].Trim();
        // Tomlyn prefixes "(line,col) : error : "; the position is reported separately.
        var marker = first.IndexOf(" : error : ", StringComparison.Ordinal);
        return marker >= 0 ? first[(marker + " : error : ".Length)..] : first;
    }
}
