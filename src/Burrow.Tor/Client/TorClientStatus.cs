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

    public DateTime? NextConsensusFetch { get; init; }

    public int Relays { get; init; }

    public int RelaysWithMicrodescriptors { get; init; }

    public int OpenCircuits { get; init; }

    public int CleanCircuits { get; init; }

    public long CircuitsBuilt { get; init; }

    public long CircuitBuildFailures { get; init; }

    public int OpenChannels { get; init; }

    public required IReadOnlyList<GuardInfo> PrimaryGuards { get; init; }

    public required string DirectoryRequests { get; init; }
}
