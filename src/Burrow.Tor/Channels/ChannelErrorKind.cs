namespace Burrow.Tor.Channels;

/// <summary>Why a channel could not be opened or stopped working; callers act on the kind.</summary>
internal enum ChannelErrorKind
{
    /// <summary>The TCP connection to the relay's ORPort could not be made.</summary>
    ConnectFailed,

    /// <summary>TLS, VERSIONS, CERTS or NETINFO went wrong, or the handshake timed out.</summary>
    HandshakeFailed,

    /// <summary>The relay proved an identity other than the one expected (tor-spec 2: close the connection).</summary>
    IdentityMismatch,

    /// <summary>The relay broke the link protocol after the handshake.</summary>
    ProtocolViolation,

    /// <summary>The connection ended: closed by the relay, an I/O error, or closed locally.</summary>
    Closed,

    /// <summary>A local limit was reached (no free circuit ID, too many queued control cells).</summary>
    ResourceLimit,
}
