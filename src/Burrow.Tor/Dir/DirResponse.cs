namespace Burrow.Tor.Dir;

/// <summary>A directory server's HTTP/1.0 response with its body decoded (Content-Encoding removed).</summary>
internal sealed class DirResponse
{
    public required int StatusCode { get; init; }

    public required string ReasonPhrase { get; init; }

    /// <summary>Header names are case-insensitive; a repeated header keeps its last value.</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    public required byte[] Body { get; init; }

    /// <summary>Bytes received for the body before decoding.</summary>
    public required int EncodedLength { get; init; }
}
