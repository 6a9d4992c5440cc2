// The dir-spec 1.2 meta-format as onion-service descriptors use it (rend-spec-v3 2.4, 2.5): keyword
// lines, each optionally followed by "-----BEGIN TAG-----" base64 "-----END TAG-----".
namespace Burrow.Tor.Protocol.Onion;

internal static class OnionDocReader
{
    /// <summary>Descriptors are at most 50 KB (rend-spec-v3 2.4); decrypted layers are smaller still.</summary>
    public const int MaxDocumentLength = 64 * 1024;

    public static OnionException Invalid(string message) => new(OnionErrorKind.InvalidDescriptor, "onion service descriptor: " + message);

    /// <summary>Splits <paramref name="text"/> into items. Trailing NUL padding is ignored.</summary>
    public static List<OnionDocItem> Parse(string text)
    {
        if (text.Length > MaxDocumentLength)
            throw Invalid($"{text.Length} bytes is more than the {MaxDocumentLength} accepted");
        text = text.TrimEnd('\0');
        var items = new List<OnionDocItem>();
        var pos = 0;
        var line = 0;
        while (pos < text.Length)
        {
            var start = pos;
            var l = NextLine(text, ref pos);
            line++;
            if (l.Length == 0)
                continue;
            if (l.StartsWith("-----", StringComparison.Ordinal))
                throw Invalid($"line {line}: an object without a keyword line before it");
            var parts = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
                throw Invalid($"line {line} is blank but not empty");
            string? tag = null;
            byte[]? obj = null;
            if (pos < text.Length && text.AsSpan(pos).StartsWith("-----BEGIN "))
            {
                var begin = NextLine(text, ref pos);
                line++;
                if (!begin.EndsWith("-----", StringComparison.Ordinal) || begin.Length <= 16)
                    throw Invalid($"line {line}: malformed object header");
                tag = begin[11..^5];
                var end = "-----END " + tag + "-----";
                var b64 = new System.Text.StringBuilder();
                while (true)
                {
                    if (pos >= text.Length)
                        throw Invalid($"object '{tag}' (line {line}) is not closed by '{end}'");
                    var body = NextLine(text, ref pos);
                    line++;
                    if (body == end)
                        break;
                    b64.Append(body.Trim());
                }
                try
                {
                    obj = Convert.FromBase64String(b64.ToString());
                }
                catch (FormatException)
                {
                    throw Invalid($"object '{tag}' before line {line} is not base64");
                }
            }
            items.Add(new OnionDocItem(parts[0], parts[1..], tag, obj, line, start));
        }
        return items;
    }

    /// <summary>Base64 with or without padding, as descriptors write keys and ids.</summary>
    public static byte[] Base64(string s, int expectedLength, string what)
    {
        var padded = s.Length % 4 == 0 ? s : s.PadRight(s.Length + 4 - s.Length % 4, '=');
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            throw Invalid($"{what} is not base64");
        }
        if (expectedLength >= 0 && bytes.Length != expectedLength)
            throw Invalid($"{what} is {bytes.Length} bytes, must be {expectedLength}");
        return bytes;
    }

    private static string NextLine(string text, ref int pos)
    {
        var nl = text.IndexOf('\n', pos);
        string l;
        if (nl < 0)
        {
            l = text[pos..];
            pos = text.Length;
        }
        else
        {
            l = text[pos..nl];
            pos = nl + 1;
        }
        return l.TrimEnd('\r');
    }
}
