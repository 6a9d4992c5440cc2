namespace Burrow.Tor.NetDoc;

/// <summary>One item: keyword line (keyword + arguments) and its optional object. Offsets are into the document.</summary>
internal readonly ref struct NetDocItem
{
    public NetDocItem(ReadOnlySpan<byte> keyword, ReadOnlySpan<byte> arguments, int line, int start, int keywordLineEnd,
        int end, bool isAnnotation, ReadOnlySpan<byte> objectTag, ReadOnlySpan<byte> objectBody, int objectLine)
    {
        Keyword = keyword;
        Arguments = arguments;
        Line = line;
        Start = start;
        KeywordLineEnd = keywordLineEnd;
        End = end;
        IsAnnotation = isAnnotation;
        ObjectTag = objectTag;
        ObjectBody = objectBody;
        ObjectLine = objectLine;
    }

    public ReadOnlySpan<byte> Keyword { get; }

    /// <summary>Everything after the keyword, without leading and trailing whitespace.</summary>
    public ReadOnlySpan<byte> Arguments { get; }

    /// <summary>1-based line number of the keyword line.</summary>
    public int Line { get; }

    /// <summary>Offset of the keyword line's first byte.</summary>
    public int Start { get; }

    /// <summary>Offset just past the keyword line's newline.</summary>
    public int KeywordLineEnd { get; }

    /// <summary>Offset just past the item, including its object.</summary>
    public int End { get; }

    public bool IsAnnotation { get; }

    public bool HasObject => !ObjectTag.IsEmpty;

    /// <summary>The object's type, e.g. "RSA PUBLIC KEY" or "SIGNATURE".</summary>
    public ReadOnlySpan<byte> ObjectTag { get; }

    /// <summary>The object's base64 lines, each followed by a newline.</summary>
    public ReadOnlySpan<byte> ObjectBody { get; }

    public int ObjectLine { get; }

    public ArgReader Args => new(Arguments, Line);

    public bool Is(ReadOnlySpan<byte> keyword) => Keyword.SequenceEqual(keyword);

    public string KeywordText => System.Text.Encoding.Latin1.GetString(Keyword);

    /// <summary>Throws unless the item has no object.</summary>
    public void RequireNoObject()
    {
        if (HasObject)
            throw new NetDocException($"'{KeywordText}' does not take an object", ObjectLine);
    }

    /// <summary>Decodes the object, requiring one of the given types.</summary>
    public byte[] DecodeObject(ReadOnlySpan<byte> expectedTag, ReadOnlySpan<byte> alternativeTag = default)
    {
        if (!HasObject)
            throw new NetDocException($"'{KeywordText}' must be followed by a '-----BEGIN {Latin1(expectedTag)}-----' object", Line);
        if (!ObjectTag.SequenceEqual(expectedTag) && (alternativeTag.IsEmpty || !ObjectTag.SequenceEqual(alternativeTag)))
            throw new NetDocException($"'{KeywordText}' object has type '{Latin1(ObjectTag)}', expected '{Latin1(expectedTag)}'", ObjectLine);
        return NetDocText.DecodeBase64Lines(ObjectBody, ObjectLine);
    }

    private static string Latin1(ReadOnlySpan<byte> s) => System.Text.Encoding.Latin1.GetString(s);
}
