namespace Burrow.Tor.CircMgr;

/// <summary>The exit-circuit pool's limits and timings (the client fills them from its options).</summary>
internal sealed record CircuitPoolOptions
{
    /// <summary>How long building one circuit may take before it is abandoned.</summary>
    public TimeSpan CircuitBuildTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A circuit takes new streams for this long after its first one.</summary>
    public TimeSpan MaxCircuitDirtiness { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a relay that a circuit could not be extended to is left out of new paths (when others fit).</summary>
    public TimeSpan FailedRelayAvoidance { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Circuits built before giving up on one request.</summary>
    public int MaxCircuitBuildAttempts { get; init; } = 4;

    /// <summary>Builds that failed at an unreachable guard, besides those: each moves to another guard.</summary>
    public int MaxGuardFailures { get; init; } = 8;

    /// <summary>Ports to keep clean exit circuits ready for, besides ports used in the last hour (path-spec 2.1.1).</summary>
    public IReadOnlyList<int> PreemptivePorts { get; init; } = [80, 443];

    /// <summary>Clean circuits kept ready per predicted port.</summary>
    public int PreemptiveCircuitsPerPort { get; init; } = 2;

    /// <summary>No more clean circuits than this are built ahead of time.</summary>
    public int MaxCleanCircuits { get; init; } = 12;

    /// <summary>Open exit circuits at most; requests wait for a slot beyond that.</summary>
    public int MaxCircuits { get; init; } = 64;
}
