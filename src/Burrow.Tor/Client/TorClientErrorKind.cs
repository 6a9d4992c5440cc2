namespace Burrow.Tor.Client;

/// <summary>What went wrong in a <see cref="TorClient"/> operation; callers map these to their own errors.</summary>
public enum TorClientErrorKind
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
    /// <summary>The exit could not reach the destination (REASON_NOROUTE).</summary>
    HostUnreachable,
    /// <summary>The destination reset the connection (REASON_CONNRESET).</summary>
    ConnectionReset,
    /// <summary>A relay or the exit broke the Tor protocol (REASON_TORPROTOCOL).</summary>
    ProtocolError,
    /// <summary>The circuit carrying the stream went away (destroyed, truncated, its channel lost) or the
    /// exit is out of resources or hibernating.</summary>
    CircuitClosed,
    /// <summary>Another stream failure (the message says which).</summary>
    StreamFailed,
    /// <summary>The consensus expired more than 24 hours ago and no newer one could be fetched (dir-spec 5.1):
    /// no new circuits are built. Often a wrong system clock.</summary>
    ConsensusTooOld,
    /// <summary>The client was disposed.</summary>
    Disposed,
    /// <summary>A .onion name that is not a valid v3 onion address (length, base32, version, checksum).</summary>
    OnionAddressInvalid,
    /// <summary>No descriptor for the onion service on its HSDirs: it does not exist or is offline.</summary>
    OnionServiceNotFound,
    /// <summary>The onion service's descriptor needs client authorization and no configured key opens it.</summary>
    OnionClientAuthRequired,
    /// <summary>The onion service's descriptor is malformed or its signatures do not verify.</summary>
    OnionDescriptorInvalid,
    /// <summary>The introduction or rendezvous with the onion service failed on every attempt.</summary>
    OnionIntroductionFailed,
    /// <summary>The onion service asks for a proof-of-work puzzle (prop 327), which this client does not solve.</summary>
    OnionProofOfWorkRequired,
}
