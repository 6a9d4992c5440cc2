namespace Burrow.Tor.NetDoc;

/// <summary>Consensus flavours (dir-spec 3.9): "ns" (the unflavoured consensus) and "microdesc".</summary>
internal enum ConsensusFlavor
{
    Ns,
    Microdesc,
}
