using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Burrow.Core.Configuration;

/// <summary>
/// Reads a JSON payload into the common tree. Utf8JsonReader rather than JsonDocument so every
/// key and value keeps its line and column for schema errors, and duplicate keys are refused
/// (JsonDocument keeps both silently). Comments and trailing commas are allowed.
/// </summary>
internal static partial class JsonPayloadReader
{
    private const int MaxDepth = 32;

    public static PayloadNode Read(string text, string? sourceName)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var lines = new LineMap(bytes);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            MaxDepth = MaxDepth + 1,
        });
        try
        {
            if (!reader.Read())
                throw Syntax("the payload is empty; accepted: a JSON object", null, null, sourceName);
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                var (l, c) = lines.Position(reader.TokenStartIndex);
                throw Syntax("invalid JSON: the payload must be an object ({ ... })", l, c, sourceName);
            }
            var root = ReadValue(ref reader, lines, sourceName);
            if (reader.Read())
            {
                var (l, c) = lines.Position(reader.TokenStartIndex);
                throw Syntax("invalid JSON: unexpected content after the payload's closing '}'", l, c, sourceName);
            }
            return root;
        }
        catch (JsonException e)
        {
            // LineNumber/BytePositionInLine are 0-based; the column is turned from bytes into characters.
            int? line = e.LineNumber is { } ln ? (int)ln + 1 : null;
            int? column = e.LineNumber is { } l0 && e.BytePositionInLine is { } b0 ? lines.Column((int)l0, (int)b0) : null;
            throw Syntax("invalid JSON: " + StripPosition(e.Message), line, column, sourceName, e);
        }
    }

    private static PayloadNode ReadValue(ref Utf8JsonReader reader, LineMap lines, string? sourceName)
    {
        var (line, column) = lines.Position(reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                if (reader.CurrentDepth >= MaxDepth)
                    throw Syntax($"invalid JSON: nested deeper than {MaxDepth} levels", line, column, sourceName);
                var members = new List<PayloadMember>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var (kl, kc) = lines.Position(reader.TokenStartIndex);
                    var key = reader.GetString()!;
                    if (!seen.Add(key))
                        throw Syntax($"invalid JSON: the key {PayloadNode.Quote(key)} appears twice in the same object", kl, kc, sourceName);
                    reader.Read();
                    members.Add(new PayloadMember(key, ReadValue(ref reader, lines, sourceName), kl, kc));
                }
                return PayloadNode.OfTable(members, StringComparer.Ordinal, line, column);
            case JsonTokenType.StartArray:
                if (reader.CurrentDepth >= MaxDepth)
                    throw Syntax($"invalid JSON: nested deeper than {MaxDepth} levels", line, column, sourceName);
                var items = new List<PayloadNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    items.Add(ReadValue(ref reader, lines, sourceName));
                return PayloadNode.OfArray(items, line, column);
            case JsonTokenType.String:
                return PayloadNode.OfString(reader.GetString()!, line, column);
            case JsonTokenType.True:
            case JsonTokenType.False:
                return PayloadNode.OfBoolean(reader.GetBoolean(), line, column);
            case JsonTokenType.Null:
                return PayloadNode.OfNull(line, column);
            case JsonTokenType.Number:
                var written = Encoding.UTF8.GetString(reader.ValueSpan);
                if (reader.TryGetInt64(out var integer))
                    return PayloadNode.OfInteger(integer, line, column);
                if (written.AsSpan().IndexOfAny(".eE") < 0)
                    return PayloadNode.OfHugeInteger(written.StartsWith('-'), written, line, column);
                reader.TryGetDouble(out var number);
                return PayloadNode.OfFloat(number, written, line, column);
            default:
                throw Syntax($"invalid JSON: unexpected {reader.TokenType}", line, column, sourceName);
        }
    }

    private static PayloadException Syntax(string description, int? line, int? column, string? sourceName, Exception? inner = null)
        => new(new PayloadError("", description, line, column, sourceName), inner);

    /// <summary>The reader's message without its position suffix, on one line (it quotes raw input, newlines included).</summary>
    private static string StripPosition(string message)
    {
        var text = PositionSuffix().Replace(message, "").TrimEnd();
        return string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }

    [GeneratedRegex(@"\s*(Path: \S*)?\s*\|?\s*LineNumber: \d+ \| BytePositionInLine: \d+\.?\s*$")]
    private static partial Regex PositionSuffix();

    /// <summary>Byte offsets of line starts, to turn reader offsets into 1-based line/character positions.</summary>
    private sealed class LineMap
    {
        private readonly byte[] _bytes;
        private readonly List<int> _starts = [0];

        public LineMap(byte[] bytes)
        {
            _bytes = bytes;
            for (var i = 0; i < bytes.Length; i++)
                if (bytes[i] == (byte)'\n')
                    _starts.Add(i + 1);
        }

        public (int Line, int Column) Position(long offset)
        {
            var index = _starts.BinarySearch((int)offset);
            var line = index >= 0 ? index : ~index - 1;
            return (line + 1, Column(line, (int)offset - _starts[line]));
        }

        /// <summary>1-based character column of a 0-based byte position within a 0-based line.</summary>
        public int Column(int line, int bytePosition)
        {
            if (line < 0 || line >= _starts.Count)
                return bytePosition + 1;
            var start = _starts[line];
            var end = Math.Min(_bytes.Length, start + Math.Max(0, bytePosition));
            var chars = 0;
            for (var i = start; i < end; i++)
                if ((_bytes[i] & 0xC0) != 0x80)
                    chars++;
            return chars + 1;
        }
    }
}
