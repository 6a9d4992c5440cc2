namespace Burrow.Tor.Dir;

/// <summary>Bootstrap phases, in the order they happen (after C tor's bootstrap phases).</summary>
public enum BootstrapPhase
{
    Starting,
    /// <summary>Opening a channel and a one-hop circuit to a directory cache.</summary>
    ConnectingToDirectory,
    LoadingConsensus,
    LoadingCertificates,
    LoadingMicrodescriptors,
    BuildingCircuits,
    Done,
}
