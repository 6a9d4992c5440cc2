namespace Burrow.Core.Upstreams;

/// <summary>Why a stream could not be opened: callers act on the kind, users read the message.</summary>
public enum UpstreamErrorKind
{
    /// <summary>The connector itself is unreachable or not running (SocksPort down, client not bootstrapped).</summary>
    ConnectorUnavailable,
    /// <summary>The destination refused the connection.</summary>
    ConnectionRefused,
    /// <summary>The exit's policy does not allow the destination.</summary>
    NotAllowed,
    HostUnreachable,
    NetworkUnreachable,
    /// <summary>No answer in time.</summary>
    Timeout,
    /// <summary>The connector answered something we do not understand.</summary>
    ProtocolError,
    /// <summary>Anything else the connector reported.</summary>
    Other,
}
