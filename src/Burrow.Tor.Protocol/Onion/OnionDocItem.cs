namespace Burrow.Tor.Protocol.Onion;

/// <summary>One item of an onion-service descriptor layer: keyword, arguments and an optional object.</summary>
internal sealed record OnionDocItem(string Keyword, string[] Args, string? ObjectTag, byte[]? Object, int Line, int Start)
{
    public string Arg(int i, string what)
    {
        if (i >= Args.Length)
            throw OnionDocReader.Invalid($"'{Keyword}' (line {Line}) lacks its {what}");
        return Args[i];
    }

    public byte[] RequireObject(string tag)
    {
        if (Object == null || ObjectTag != tag)
            throw OnionDocReader.Invalid($"'{Keyword}' (line {Line}) must be followed by a '{tag}' object");
        return Object;
    }
}
