// The subprotocols (tor-spec 9, a relay's consensus "pr" line) each position of this client's circuits
// needs. Checked when the path is chosen (tor-spec 9.3 asks for exactly that), so a circuit never
// depends on a relay that cannot do what it will be asked.
using Burrow.Tor.NetDir;

namespace Burrow.Tor.PathSelection;

internal static class CircuitProtocols
{
    /// <summary>tor-spec 9.3 "Relay=2": CREATE2/CREATED2, EXTEND2/EXTENDED2 and ntor, which every hop of this
    /// client's circuits uses (it has no TAP). A relay with no "pr" line advertises nothing and is not used.</summary>
    public static bool CanCarryCircuits(Relay r) => r.Protocols.Supports("Relay", 2);

    /// <summary>tor-spec 9.1: this client speaks link protocols 4 and 5 only, and opens channels to first hops.</summary>
    public static bool CanBeFirstHop(Relay r) => r.Protocols.Supports("Link", 4) || r.Protocols.Supports("Link", 5);

    /// <summary>
    /// Congestion control at the exit (proposal 324 section 10.1): negotiated in the ntor v3 handshake
    /// ("Relay=4", which needs the relay's Ed25519 key) and run by exits that advertise "FlowCtrl=2".
    /// </summary>
    public static bool SupportsCongestionControl(Relay r) =>
        r.Ed25519Identity is not null && r.Protocols.Supports("Relay", 4) && r.Protocols.Supports("FlowCtrl", 2);
}
