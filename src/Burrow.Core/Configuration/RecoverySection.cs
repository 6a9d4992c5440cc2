namespace Burrow.Core.Configuration;

/// <summary>[recovery]: how original destinations are recovered. Mechanism is chosen from the OS.</summary>
public sealed class RecoverySection
{
    /// <summary>macOS only: fall back to the pflog0 observer when DIOCNATLOOK finds no state.
    /// Requires an explicit (non-wildcard) tcp_stack.listen address.</summary>
    public bool PflogFallback { get; init; }
}
