namespace Burrow.Cmdlets.Jobs;

/// <summary>What happened in a network, as its job reports it (Information records and the NetworkEvent event).</summary>
public enum BurrowEventKind
{
    /// <summary>The upstream is ready (the Tor client bootstrapped) and the network listens.</summary>
    BootstrapDone,
    /// <summary>The Tor client built a circuit; Data is its TorCircuitInfo.</summary>
    CircuitBuilt,
    /// <summary>The Tor client could not build a circuit; Data is the TorCircuitFailure.</summary>
    CircuitFailed,
    /// <summary>A flow's Tor stream opened; Data is its FlowInfo.</summary>
    FlowOpened,
    /// <summary>A flow ended; Data is its FlowInfo (EndReason says why).</summary>
    FlowClosed,
}
