using System.Collections;
using System.Text;
using System.Text.Json;
using Burrow.Core.Configuration;

namespace Burrow.Fuzz.Targets;

/// <summary>The payload parser in its three input shapes: JSON text, TOML text, and a hashtable tree as PowerShell
/// hands it over (built here from JSON: objects become Hashtables, arrays object[], numbers int/long/double).
/// The only accepted failure is <see cref="PayloadException"/> (docs/payload.md: "raises PayloadException and nothing else").</summary>
internal sealed class PayloadTarget(PayloadTarget.Shape shape) : FuzzTarget
{
    internal enum Shape
    {
        Json,
        Toml,
        Hashtable,
    }

    private static readonly PayloadContext Context = new("/nonexistent/base", "/nonexistent/home", "fuzz");

    public override string Name => shape switch
    {
        Shape.Json => "payload-json",
        Shape.Toml => "payload-toml",
        _ => "payload-hashtable",
    };

    public override string Description => shape switch
    {
        Shape.Json => "PayloadParser.Parse(text, Json)",
        Shape.Toml => "PayloadParser.Parse(text, Toml) and format detection",
        _ => "PayloadParser.Parse(IDictionary) on hashtable trees built from JSON",
    };

    public override int MaxInputLength => 32 * 1024;

    public override void Run(ReadOnlySpan<byte> input)
    {
        var text = Encoding.UTF8.GetString(input);
        try
        {
            switch (shape)
            {
                case Shape.Json:
                    PayloadParser.Parse(text, PayloadParser.PayloadFormat.Json, Context);
                    break;
                case Shape.Toml:
                    PayloadParser.Parse(text, PayloadParser.PayloadFormat.Toml, Context);
                    PayloadParser.Parse(text, PayloadParser.PayloadFormat.Detect, Context);
                    break;
                default:
                    if (ToTree(text) is IDictionary tree)
                        PayloadParser.Parse(tree, Context);
                    break;
            }
        }
        catch (PayloadException)
        {
        }
    }

    private static object? ToTree(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64, AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            return Convert(doc.RootElement);
        }
        catch (JsonException)
        {
            return null; // not a tree: nothing for the hashtable reader to see
        }
    }

    private static object? Convert(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => ToHashtable(e),
        JsonValueKind.Array => e.EnumerateArray().Select(Convert).ToArray(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number when e.TryGetInt32(out var i) => i,
        JsonValueKind.Number when e.TryGetInt64(out var l) => l,
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static Hashtable ToHashtable(JsonElement e)
    {
        var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var p in e.EnumerateObject())
            table[p.Name] = Convert(p.Value);
        return table;
    }

    public override IEnumerable<byte[]> Seeds(SeedData data) =>
        (shape == Shape.Toml ? PayloadSeeds.Toml(data) : PayloadSeeds.Json(data)).Select(PayloadSeeds.Utf8);
}
