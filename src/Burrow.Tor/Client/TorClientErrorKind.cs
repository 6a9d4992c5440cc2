namespace Burrow.Tor.Client;

/// <summary>What went wrong in a <see cref="TorClient"/> operation; callers map these to their own errors.</summary>
internal enum TorClientErrorKind
{
    /// <summary>ConnectAsync/ResolveAsync before a successful bootstrap.</summary>
    NotBootstrapped,
    /// <summary>The directory could not be obtained or verified (the inner DirectoryException says why).</summary>
    DirectoryFailed,
    /// <summary>The consensus requires subprotocols this client does not implement.</summary>
    UnsupportedProtocols,
    /// <summary>No relays satisfy the path constraints (e.g. no exit allows the port).</summary>
    NoPath,
    /// <summary>Circuits could not be built (guards unreachable, relays failing, timeouts).</summary>
    CircuitFailed,
    /// <summary>The destination refused the connection (REASON_CONNECTREFUSED).</summary>
    ConnectionRefused,
    /// <summary>Exits could not resolve the hostname.</summary>
    ResolveFailed,
    /// <summary>Exits refused the stream by policy, every one tried.</summary>
    ExitPolicy,
    /// <summary>Exits did not answer in time.</summary>
    Timeout,
    /// <summary>Another stream failure (the inner TorStreamException's kind says which).</summary>
    StreamFailed,
    /// <summary>The client was disposed.</summary>
    Disposed,
}
