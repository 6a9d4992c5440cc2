// Subprotocol versions this client implements (tor-spec 9), checked against the consensus's
// required-client-protocols / recommended-client-protocols (dir-spec 3.4.1).
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.Client;

internal static class SupportedProtocols
{
    /// <summary>
    /// Cons=2 and Microdesc=2: microdesc consensus and microdescriptors with ed25519 and curve25519
    /// keys; Desc=2 likewise for descriptor formats; FlowCtrl=1: authenticated SENDMEs, FlowCtrl=2:
    /// congestion control with Vegas and XON/XOFF (proposal 324); Link=4-5: link protocol versions
    /// negotiated by the channel; Relay=2: the ntor handshake (CREATE2/EXTEND2), Relay=4: ntor v3
    /// (proposal 332). Relay=3 is the relay-side IPv6 extend, which a client has nothing to do for.
    /// </summary>
    public const string Text = "Cons=2 Desc=2 FlowCtrl=1-2 Link=4-5 Microdesc=2 Relay=2,4";

    public static ProtocolVersions Versions { get; } = ProtocolVersions.Parse(Text);

    /// <summary>What of <paramref name="required"/> this client lacks ("" when nothing).</summary>
    public static string Missing(ProtocolVersions required) => Versions.MissingFrom(required);
}
