// Tokenizer for the directory document meta-format (dir-spec 1.2): keyword lines with
// arguments, each optionally followed by one PEM-style object. Works on the raw bytes so the
// signed ranges of a document can be hashed exactly as they were received.
namespace Burrow.Tor.NetDoc;

/// <summary>
/// Reads the items of a directory document one at a time. Blank lines are skipped. Lines that
/// start with '@' are annotations (Tor's caches, CollecTor archives) and are returned with
/// <see cref="NetDocItem.IsAnnotation"/> set only when the caller allows them.
/// </summary>
internal ref struct NetDocReader
{
    /// <summary>Upper bound for one object's base64 text; real keys and signatures are under 1 KiB.</summary>
    public const int MaxObjectChars = 32 * 1024;

    private static ReadOnlySpan<byte> BeginPrefix => "-----BEGIN "u8;
    private static ReadOnlySpan<byte> EndPrefix => "-----END "u8;
    private static ReadOnlySpan<byte> Dashes => "-----"u8;

    private readonly ReadOnlySpan<byte> _doc;
    private readonly bool _allowAnnotations;
    private int _pos;
    private int _line;

    public NetDocReader(ReadOnlySpan<byte> document, bool allowAnnotations = false)
    {
        _doc = document;
        _allowAnnotations = allowAnnotations;
        _pos = 0;
        _line = 1;
    }

    /// <summary>Byte offset of the next unread line.</summary>
    public readonly int Position => _pos;

    /// <summary>1-based number of the next unread line.</summary>
    public readonly int Line => _line;

    /// <summary>Reads the next item; false at the end of the document. Throws <see cref="NetDocException"/> on malformed input.</summary>
    public bool TryRead(out NetDocItem item)
    {
        while (_pos < _doc.Length && _doc[_pos] == (byte)'\n')
        {
            _pos++;
            _line++;
        }
        if (_pos >= _doc.Length)
        {
            item = default;
            return false;
        }

        var start = _pos;
        var line = _line;
        var content = ReadLine();
        var keywordLineEnd = _pos;

        var isAnnotation = false;
        if (content[0] == (byte)'@')
        {
            if (!_allowAnnotations)
                throw new NetDocException("annotation line ('@...') is not allowed in this document", line);
            isAnnotation = true;
            content = content[1..];
        }

        if (content.StartsWith(BeginPrefix))
            throw new NetDocException("object (-----BEGIN ...) without a keyword line before it", line);
        var k = 0;
        while (k < content.Length && IsKeywordChar(content[k]))
            k++;
        if (k == 0)
        {
            throw new NetDocException(!content.IsEmpty && content[0] == (byte)'\r'
                ? "carriage return in a line: directory documents use LF line endings"
                : "expected a keyword ([A-Za-z0-9-]) at the start of the line", line);
        }
        if (k < content.Length && content[k] != (byte)' ' && content[k] != (byte)'\t')
        {
            throw new NetDocException(content[k] == (byte)'\r'
                ? "carriage return in a line: directory documents use LF line endings"
                : $"invalid character 0x{content[k]:X2} in keyword", line);
        }
        var keyword = content[..k];
        if (keyword.StartsWith(Dashes))
            throw new NetDocException("a keyword may not start with '-----'", line);

        var args = content[k..];
        ValidateArguments(args, line);
        args = TrimWhitespace(args);

        ReadOnlySpan<byte> tag = default, body = default;
        var objectLine = 0;
        if (_doc[_pos..].StartsWith(BeginPrefix))
        {
            objectLine = _line;
            ReadObject(out tag, out body);
            if (_doc[_pos..].StartsWith(BeginPrefix))
                throw new NetDocException("more than one object after one keyword line", _line);
        }

        item = new NetDocItem(keyword, args, line, start, keywordLineEnd, _pos, isAnnotation, tag, body, objectLine);
        return true;
    }

    private void ReadObject(out ReadOnlySpan<byte> tag, out ReadOnlySpan<byte> body)
    {
        var beginLine = _line;
        var begin = ReadLine();
        if (begin.Length <= BeginPrefix.Length + Dashes.Length || !begin.EndsWith(Dashes))
            throw new NetDocException("malformed object start: expected '-----BEGIN <type>-----'", beginLine);
        tag = begin[BeginPrefix.Length..^Dashes.Length];
        foreach (var c in tag)
        {
            if (!IsKeywordChar(c) && c != (byte)' ')
                throw new NetDocException("malformed object type in '-----BEGIN <type>-----'", beginLine);
        }

        var bodyStart = _pos;
        while (true)
        {
            if (_pos >= _doc.Length)
                throw new NetDocException($"object '{Ascii(tag)}' is not terminated by '-----END {Ascii(tag)}-----'", beginLine);
            var lineNo = _line;
            var lineStart = _pos;
            var l = ReadLine();
            if (l.StartsWith(EndPrefix))
            {
                if (!l[EndPrefix.Length..].StartsWith(tag) || !l[(EndPrefix.Length + tag.Length)..].SequenceEqual(Dashes))
                    throw new NetDocException($"object end line does not match '-----END {Ascii(tag)}-----'", lineNo);
                body = _doc[bodyStart..lineStart];
                return;
            }
            if (l.IsEmpty)
                throw new NetDocException("empty line inside an object", lineNo);
            foreach (var c in l)
            {
                if (!IsBase64Char(c))
                    throw new NetDocException($"invalid character 0x{c:X2} in the base64 body of object '{Ascii(tag)}'", lineNo);
            }
            if (_pos - bodyStart > MaxObjectChars)
                throw new NetDocException($"object '{Ascii(tag)}' is longer than {MaxObjectChars} characters", beginLine);
        }
    }

    /// <summary>Returns the current line without its newline and moves past it. A missing final newline is tolerated.</summary>
    private ReadOnlySpan<byte> ReadLine()
    {
        var rest = _doc[_pos..];
        var nl = rest.IndexOf((byte)'\n');
        if (nl < 0)
        {
            _pos = _doc.Length;
            _line++;
            return rest;
        }
        _pos += nl + 1;
        _line++;
        return rest[..nl];
    }

    private static void ValidateArguments(ReadOnlySpan<byte> args, int line)
    {
        // Printing ASCII and TAB per dir-spec 1.2. Bytes >= 0x80 are tolerated because free-text
        // items (contact) carry no meaning for us and must not make a signed document unusable.
        var i = args.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E);
        while (i >= 0)
        {
            var c = args[i];
            if (c != (byte)'\t' && c < 0x80)
            {
                throw new NetDocException(c == (byte)'\r'
                    ? "carriage return in a line: directory documents use LF line endings"
                    : $"control character 0x{c:X2} in arguments", line);
            }
            args = args[(i + 1)..];
            i = args.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E);
        }
    }

    internal static ReadOnlySpan<byte> TrimWhitespace(ReadOnlySpan<byte> s)
    {
        var a = 0;
        while (a < s.Length && (s[a] == (byte)' ' || s[a] == (byte)'\t'))
            a++;
        var b = s.Length;
        while (b > a && (s[b - 1] == (byte)' ' || s[b - 1] == (byte)'\t'))
            b--;
        return s[a..b];
    }

    internal static bool IsKeywordChar(byte c) =>
        (uint)((c | 0x20) - 'a') <= 'z' - 'a' || (uint)(c - '0') <= 9 || c == (byte)'-';

    private static bool IsBase64Char(byte c) =>
        (uint)((c | 0x20) - 'a') <= 'z' - 'a' || (uint)(c - '0') <= 9 || c == (byte)'+' || c == (byte)'/' || c == (byte)'=';

    private static string Ascii(ReadOnlySpan<byte> s) => System.Text.Encoding.Latin1.GetString(s);
}
