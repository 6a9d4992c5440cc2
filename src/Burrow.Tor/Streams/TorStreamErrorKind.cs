namespace Burrow.Tor.Streams;

/// <summary>Why a stream failed: the exit's RELAY_END reason (tor-spec 6.3) or a local cause.</summary>
internal enum TorStreamErrorKind
{
    /// <summary>REASON_MISC, an empty END, or a reason this client does not know.</summary>
    Misc,
    /// <summary>REASON_RESOLVEFAILED, or a RESOLVED error answer.</summary>
    ResolveFailed,
    /// <summary>REASON_CONNECTREFUSED.</summary>
    ConnectionRefused,
    /// <summary>REASON_EXITPOLICY: the exit does not connect to that address and port.</summary>
    ExitPolicy,
    /// <summary>REASON_DESTROY from the exit, or the circuit carrying the stream closed (DESTROY, TRUNCATED,
    /// channel lost, protocol violation): the inner <see cref="Circuits.CircuitException"/> says which.</summary>
    Destroyed,
    /// <summary>REASON_TIMEOUT, or the exit did not answer BEGIN in time.</summary>
    Timeout,
    /// <summary>REASON_NOROUTE.</summary>
    NoRoute,
    /// <summary>REASON_HIBERNATING.</summary>
    Hibernating,
    /// <summary>REASON_INTERNAL.</summary>
    Internal,
    /// <summary>REASON_RESOURCELIMIT.</summary>
    ResourceLimit,
    /// <summary>REASON_CONNRESET: the destination reset the connection.</summary>
    ConnectionReset,
    /// <summary>REASON_TORPROTOCOL.</summary>
    TorProtocol,
    /// <summary>REASON_NOTDIRECTORY: BEGIN_DIR to a relay that serves no directory.</summary>
    NotDirectory,
    /// <summary>The stream already ended (REASON_DONE from the exit, or closed locally) and cannot be written.</summary>
    Closed,
}
