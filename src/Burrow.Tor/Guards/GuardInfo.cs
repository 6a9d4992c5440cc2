using Burrow.Tor.Identities;

namespace Burrow.Tor.Guards;

/// <summary>A read-only view of one sampled guard, for status displays and tests. <see cref="Fingerprint"/>
/// is the text form (40 hex digits) of the identity the client keys the guard by.</summary>
public sealed record GuardInfo(string Nickname, string Fingerprint, bool IsListed, bool IsConfirmed, bool IsPrimary,
    GuardReachability Reachable, DateTime AddedOn, DateTime? ConfirmedOn)
{
    /// <summary>The guard's identity, for lookups inside the client (no round trip through hex).</summary>
    internal RsaIdentity Identity { get; init; }
}
