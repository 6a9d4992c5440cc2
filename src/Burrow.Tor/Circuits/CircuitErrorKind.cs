namespace Burrow.Tor.Circuits;

/// <summary>Why a circuit failed or closed.</summary>
internal enum CircuitErrorKind
{
    /// <summary>A relay sent DESTROY (<see cref="CircuitException.DestroyReason"/> says why).</summary>
    Destroyed,

    /// <summary>A relay sent RELAY_TRUNCATED: the circuit was cut after that hop (torn down: tor-spec 5.4).</summary>
    Truncated,

    /// <summary>A cell broke the protocol (malformed, unrecognized, unexpected, or a window overrun).</summary>
    ProtocolViolation,

    /// <summary>A hop's ntor reply did not authenticate.</summary>
    HandshakeFailed,

    /// <summary>The channel carrying the circuit closed (the inner <see cref="Channels.ChannelException"/> says why).</summary>
    ChannelClosed,

    /// <summary>A hop did not answer CREATE2 / EXTEND2 in time.</summary>
    Timeout,

    /// <summary>Traffic stopped and the exit did not answer a liveness probe: a relay on the path is gone
    /// or stopped without closing its connections (<see cref="Circuit.StallTimeout"/>).</summary>
    Unresponsive,

    /// <summary>Closed locally (disposed, or building was cancelled).</summary>
    Closed,

    /// <summary>A local limit: no free stream ID, or too many cells waiting.</summary>
    ResourceLimit,
}
