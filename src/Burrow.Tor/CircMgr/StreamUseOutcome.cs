namespace Burrow.Tor.CircMgr;

/// <summary>How a stream attempt on a pooled circuit went, for path bias use accounting (path-spec 7.2).</summary>
internal enum StreamUseOutcome
{
    /// <summary>The exit answered as the protocol expects (CONNECTED, RESOLVED, or an END such as a refusal).</summary>
    Answered,
    /// <summary>No answer in time: clears an earlier success.</summary>
    TimedOut,
    /// <summary>DESTROY, TORPROTOCOL, INTERNAL, or the circuit failed under the stream.</summary>
    Failed,
}
