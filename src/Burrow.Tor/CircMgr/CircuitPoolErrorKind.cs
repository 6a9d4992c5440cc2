namespace Burrow.Tor.CircMgr;

/// <summary>Why the pool has no circuit for a request.</summary>
internal enum CircuitPoolErrorKind
{
    /// <summary>There is no network directory yet.</summary>
    NotBootstrapped,
    /// <summary>No relays satisfy the path constraints (final: another build would fail the same way).</summary>
    NoPath,
    /// <summary>Circuits could not be built, or every slot is in use.</summary>
    CircuitFailed,
    /// <summary>The consensus expired more than 24 hours ago (dir-spec 5.1): no new circuits until a newer one.</summary>
    ConsensusTooOld,
}
