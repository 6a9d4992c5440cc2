using Burrow.Tor.Identities;

namespace Burrow.Tor.Guards;

/// <summary>A read-only view of one sampled guard, for status displays and tests. <see cref="Fingerprint"/>
/// is the text form (40 hex digits) of the identity the client keys the guard by.</summary>
public sealed record GuardInfo(string Nickname, string Fingerprint, bool IsListed, bool IsConfirmed, bool IsPrimary,
    GuardReachability Reachable, DateTime AddedOn, DateTime? ConfirmedOn)
{
    /// <summary>Path bias verdict (path-spec 7.4) on this guard's circuits.</summary>
    public PathBias.PathBiasLevel PathBias { get; init; }

    /// <summary>Disabled by path bias (pb_dropguards=1 and an extreme failure rate): not used any more.</summary>
    public bool PathBiasDisabled { get; init; }

    /// <summary>Circuits through the guard that were extended past it (scaled, path-spec 7.3).</summary>
    public double CircuitAttempts { get; init; }

    /// <summary>Share of those circuits that completed; null before any.</summary>
    public double? CircuitSuccessRate { get; init; }

    /// <summary>Share of used circuits that were used successfully; null before any.</summary>
    public double? UseSuccessRate { get; init; }

    /// <summary>The guard's identity, for lookups inside the client (no round trip through hex).</summary>
    internal RsaIdentity Identity { get; init; }
}
