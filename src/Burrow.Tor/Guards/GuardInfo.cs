namespace Burrow.Tor.Guards;

/// <summary>A read-only view of one sampled guard, for status displays and tests.</summary>
public sealed record GuardInfo(string Nickname, string Fingerprint, bool IsListed, bool IsConfirmed, bool IsPrimary,
    GuardReachability Reachable, DateTime AddedOn, DateTime? ConfirmedOn);
