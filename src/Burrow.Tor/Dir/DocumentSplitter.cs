// Splits concatenated directory documents into their texts, so that each can be parsed on its
// own (one bad entry does not spoil a batch) and stored byte for byte.
namespace Burrow.Tor.Dir;

internal static class DocumentSplitter
{
    /// <summary>
    /// Authority certificates: each starts at a "dir-key-certificate-version" line. Text before the
    /// first one is returned as an entry of its own (so a parser reports it).
    /// </summary>
    public static List<ReadOnlyMemory<byte>> Certificates(ReadOnlyMemory<byte> text) =>
        Split(text, "dir-key-certificate-version"u8, skipAnnotations: false);

    /// <summary>
    /// Microdescriptors: each starts at an "onion-key" line and runs to the next one, or to an
    /// '@' annotation line (cache files), which belongs to no entry. This is the extent whose
    /// SHA-256 the consensus "m" line names (dir-spec 3.3).
    /// </summary>
    public static List<ReadOnlyMemory<byte>> Microdescriptors(ReadOnlyMemory<byte> text) =>
        Split(text, "onion-key"u8, skipAnnotations: true);

    private static List<ReadOnlyMemory<byte>> Split(ReadOnlyMemory<byte> text, ReadOnlySpan<byte> keyword, bool skipAnnotations)
    {
        var result = new List<ReadOnlyMemory<byte>>();
        var span = text.Span;
        var start = -1;
        var pos = 0;
        while (pos < span.Length)
        {
            var nl = span[pos..].IndexOf((byte)'\n');
            var lineEnd = nl < 0 ? span.Length : pos + nl + 1;
            var line = span[pos..lineEnd];
            if (skipAnnotations && line.Length > 0 && line[0] == (byte)'@')
            {
                if (start >= 0)
                    result.Add(text[start..pos]);
                start = -1;
            }
            else if (StartsWithKeyword(line, keyword))
            {
                if (start >= 0)
                    result.Add(text[start..pos]);
                start = pos;
            }
            else if (start < 0 && !IsBlank(line))
            {
                start = pos;
            }
            pos = lineEnd;
        }
        if (start >= 0)
            result.Add(text[start..]);
        return result;
    }

    private static bool StartsWithKeyword(ReadOnlySpan<byte> line, ReadOnlySpan<byte> keyword) =>
        line.StartsWith(keyword) && (line.Length == keyword.Length || line[keyword.Length] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r');

    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (var b in line)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                return false;
        }
        return true;
    }
}
