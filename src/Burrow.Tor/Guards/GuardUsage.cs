namespace Burrow.Tor.Guards;

/// <summary>What a guard is picked for; it decides how many primary guards to spread over (guard-spec 4.6).</summary>
internal enum GuardUsage
{
    /// <summary>The first hop of a multi-hop circuit (NUM_USABLE_PRIMARY_GUARDS).</summary>
    Circuit,
    /// <summary>A one-hop directory fetch (NUM_USABLE_PRIMARY_DIRECTORY_GUARDS).</summary>
    Directory,
}
