using Burrow.Tor.Dir;
using Burrow.Tor.Guards;

namespace Burrow.Tor.Client;

/// <summary>A snapshot of the client for status displays.</summary>
public sealed record TorClientStatus
{
    public required BootstrapStatus Bootstrap { get; init; }

    public required bool IsReady { get; init; }

    /// <summary>Why the client cannot serve requests (e.g. missing protocols), or null.</summary>
    public string? Problem { get; init; }

    public DateTime? ConsensusValidAfter { get; init; }

    public DateTime? ConsensusValidUntil { get; init; }

    /// <summary>Whether the consensus is valid now (between valid-after and valid-until).</summary>
    public bool ConsensusIsLive { get; init; }

    /// <summary>dir-spec 5.1: live, reasonably live (expired less than 24 h ago, still used), or too old
    /// (no new circuits; <see cref="Problem"/> says why).</summary>
    public ConsensusLiveness ConsensusLiveness { get; init; }

    /// <summary><see cref="ConsensusLiveness"/> in words, e.g. "expired 3.2 h ago (reasonably live: ...)".</summary>
    public string? ConsensusLivenessDetail { get; init; }

    public DateTime? NextConsensusFetch { get; init; }

    public int Relays { get; init; }

    public int RelaysWithMicrodescriptors { get; init; }

    public int OpenCircuits { get; init; }

    public int CleanCircuits { get; init; }

    /// <summary>Circuits being built now.</summary>
    public int BuildingCircuits { get; init; }

    /// <summary>The relays' clocks minus ours (median over open channels, from NETINFO); null before any channel.
    /// Positive: our clock is behind.</summary>
    public TimeSpan? ClockSkew { get; init; }

    /// <summary>Set when the relays' clocks (median of the recent channels' NETINFO) differ from ours by more
    /// than 5 minutes: what is wrong and what to do. Also logged as a warning.</summary>
    public string? ClockSkewWarning { get; init; }

    /// <summary>How long a request waits for a circuit being built before another is built (path-spec 2.4):
    /// learned from this client's build times once there are enough, else the configured circuit build timeout.</summary>
    public TimeSpan CircuitBuildTimeout { get; init; }

    /// <summary>Whether <see cref="CircuitBuildTimeout"/> was learned (at least cbtmincircs build times).</summary>
    public bool CircuitBuildTimeoutLearned { get; init; }

    /// <summary>Three-hop build times recorded (at most 1000), persisted in state_dir.</summary>
    public int CircuitBuildTimeSamples { get; init; }

    /// <summary>Protocol problems (required protocols missing: the client stops) and warnings (recommended ones missing).</summary>
    public IReadOnlyList<string> ProtocolWarnings { get; init; } = [];

    /// <summary>Every sampled guard: listed, confirmed, primary, reachability.</summary>
    public IReadOnlyList<GuardInfo> SampledGuards { get; init; } = [];

    public long CircuitsBuilt { get; init; }

    public long CircuitBuildFailures { get; init; }

    public int OpenChannels { get; init; }

    public required IReadOnlyList<GuardInfo> PrimaryGuards { get; init; }

    public required string DirectoryRequests { get; init; }
}
