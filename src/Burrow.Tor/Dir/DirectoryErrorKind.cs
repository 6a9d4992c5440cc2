namespace Burrow.Tor.Dir;

/// <summary>Why a directory operation failed; callers retry on another server for most kinds.</summary>
internal enum DirectoryErrorKind
{
    /// <summary>No stream to the directory server could be opened (channel, circuit or BEGIN_DIR failed).</summary>
    Unreachable,
    /// <summary>The server did not answer in time.</summary>
    Timeout,
    /// <summary>The server answered with an HTTP status other than 200 (see <see cref="DirectoryException.StatusCode"/>).</summary>
    HttpStatus,
    /// <summary>The response is not HTTP/1.x as dir-spec 6 describes (status line, headers).</summary>
    MalformedResponse,
    /// <summary>The response (or its decompressed body) exceeds the size allowed for the document.</summary>
    TooLarge,
    /// <summary>The body uses a Content-Encoding that was not asked for.</summary>
    UnsupportedEncoding,
    /// <summary>The body does not decompress, or is shorter than its Content-Length.</summary>
    CorruptBody,
    /// <summary>The document does not parse, or is of the wrong kind (e.g. not the microdesc flavour).</summary>
    BadDocument,
    /// <summary>A consensus that is too old, expired, from the future, or not newer than the one held.</summary>
    Stale,
    /// <summary>A consensus not signed by enough configured authorities with current certificates.</summary>
    NotAccepted,
    /// <summary>Every server tried failed; the message lists why.</summary>
    Exhausted,
    /// <summary>The directory is complete but covers too little of the network to build circuits.</summary>
    NotEnoughDirectoryInfo,
}
