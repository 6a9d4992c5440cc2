namespace Burrow.Core.Upstreams;

/// <summary>What stream isolation keys are made of (C tor's TransPort IsolateClientAddr, IsolateDestAddr, IsolateDestPort).</summary>
public enum IsolationField
{
    /// <summary>The redirected client's address: two hosts (or two source addresses) never share a circuit.</summary>
    ClientAddress,

    /// <summary>The destination address, or the host name behind a virtual address; for DNS, the name looked up.</summary>
    DestinationAddress,

    /// <summary>The destination port (DNS lookups have none).</summary>
    DestinationPort,
}
