using System.Net;

namespace Burrow.Core.Recovery.MacOS;

/// <summary>Every field of one <c>struct pfioc_natlook</c>, as decoded by <see cref="PfNatLook.Decode"/>.</summary>
internal readonly record struct PfNatLookFields(
    IPEndPoint Source,
    IPEndPoint Destination,
    IPEndPoint RedirectSource,
    IPEndPoint RedirectDestination,
    byte AddressFamily,
    byte Protocol,
    byte ProtocolVariant,
    PfDirection Direction);
