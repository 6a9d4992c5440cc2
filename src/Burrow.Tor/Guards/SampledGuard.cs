using Burrow.Tor.Identities;
using Burrow.Tor.NetDoc;
using Burrow.Tor.PathBias;

namespace Burrow.Tor.Guards;

/// <summary>One member of {SAMPLED_GUARDS} (guard-spec 4.1, 4.3): the persistent fields and the
/// run-time ones. Mutated only under the guard manager's lock.</summary>
internal sealed class SampledGuard
{
    public required RsaIdentity Identity { get; init; }

    public required string Nickname { get; set; }

    /// <summary>{ADDED_ON_DATE}, randomised into the past.</summary>
    public required DateTime AddedOn { get; init; }

    /// <summary>{ADDED_BY_VERSION}.</summary>
    public required string AddedBy { get; init; }

    /// <summary>{IS_LISTED}: a usable guard in the latest consensus.</summary>
    public bool IsListed { get; set; }

    /// <summary>{FIRST_UNLISTED_AT}, randomised into the past; null while listed.</summary>
    public DateTime? FirstUnlistedAt { get; set; }

    /// <summary>{CONFIRMED_ON_DATE}; null when not in {CONFIRMED_GUARDS}.</summary>
    public DateTime? ConfirmedOn { get; set; }

    /// <summary>Path bias counts (path-spec 7), persisted with the guard.</summary>
    public PathBiasCounts PathBias { get; set; } = new();

    /// <summary>Disabled by path bias (pb_dropguards): never chosen again. Persisted.</summary>
    public bool PathBiasDisabled { get; set; }

    /// <summary>The last path bias verdict logged, so each change is logged once.</summary>
    public PathBiasLevel PathBiasLevel { get; set; }

    // Run-time only.
    public GuardReachability Reachable { get; set; } = GuardReachability.Maybe;

    public DateTime? LastTriedConnect { get; set; }

    public DateTime? FailingSince { get; set; }

    /// <summary>Proposal 336: the current retry delay and when the guard becomes retriable (while unreachable).</summary>
    public TimeSpan? RetryDelay { get; set; }

    public DateTime? RetryAt { get; set; }

    public bool IsPending { get; set; }

    public override string ToString() => $"{Nickname} ${Identity.ToHex()}";
}
