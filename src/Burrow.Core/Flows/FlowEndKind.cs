namespace Burrow.Core.Flows;

/// <summary>
/// Why a flow ended: the one model carried from the socket (or the upstream) to the flow. Each
/// boundary maps its own errors to a kind once (the copy loop, the upstream connect, destination
/// recovery); <see cref="FlowEnd"/> derives the flow's state and the words users read from it.
/// </summary>
public enum FlowEndKind
{
    /// <summary>Both sides finished sending (each half-closed in turn).</summary>
    Completed,
    /// <summary>The exit ended the stream normally (Tor END reason DONE) while the client was still sending: a close, not an error.</summary>
    ClosedByExit,
    /// <summary>No byte moved either way for the idle timeout.</summary>
    IdleTimeout,
    /// <summary>The network stopped while the flow was live.</summary>
    NetworkStopped,
    /// <summary>An admin closed it (Stop-BurrowFlow); the client was reset.</summary>
    ClosedByAdmin,
    /// <summary>Reading from or writing to the redirected client failed.</summary>
    ClientError,
    /// <summary>Reading from or writing to the Tor stream failed after it was open.</summary>
    UpstreamError,
    /// <summary>The connection was not redirected (or was addressed to the listener itself): never forwarded.</summary>
    NotRedirected,
    /// <summary>The original destination could not be recovered: never forwarded.</summary>
    RecoveryFailed,
    /// <summary>The network already carried its maximum number of flows: never forwarded.</summary>
    TooManyFlows,
    /// <summary>The destination is a .onion name (through a virtual address): onion services are not supported yet, never forwarded.</summary>
    OnionServiceUnsupported,
    /// <summary>The destination is a virtual address that stands for no name (expired or never handed out): never forwarded.</summary>
    VirtualAddressUnmapped,
    /// <summary>The upstream could not open a stream; <see cref="FlowEnd.UpstreamError"/> says why.</summary>
    UpstreamConnectFailed,
    /// <summary>A bug: an unexpected exception while handling the connection.</summary>
    InternalError,
    /// <summary>The destination is a .onion name that is not a valid v3 onion address (checksum, length, version): never forwarded.</summary>
    OnionAddressInvalid,
}
