namespace Burrow.Tor.Guards;

/// <summary>{is_reachable} of guard-spec 4.1.</summary>
public enum GuardReachability
{
    /// <summary>Worth trying: never tried, or rested long enough after a failure.</summary>
    Maybe,
    /// <summary>The last attempt through it succeeded.</summary>
    Yes,
    /// <summary>The last attempt failed and the retry schedule says wait.</summary>
    No,
}
