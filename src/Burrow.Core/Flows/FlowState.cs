namespace Burrow.Core.Flows;

/// <summary>Where a redirected connection is in its life.</summary>
public enum FlowState
{
    /// <summary>Accepted; the upstream (Tor) stream is being opened.</summary>
    Connecting,
    /// <summary>Bytes are being copied both ways.</summary>
    Open,
    /// <summary>Ended after being open (either side closed, idle timeout, or stop).</summary>
    Closed,
    /// <summary>Never forwarded: not redirected, addressed to the listener, or recovery failed.</summary>
    Refused,
    /// <summary>The upstream could not connect; the client was reset.</summary>
    Failed,
}
