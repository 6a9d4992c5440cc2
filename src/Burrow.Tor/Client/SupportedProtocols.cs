// Subprotocol versions this client implements (tor-spec 9), checked against the consensus's
// required-client-protocols / recommended-client-protocols (dir-spec 3.4.1).
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.Client;

internal static class SupportedProtocols
{
    /// <summary>
    /// Cons=2 and Microdesc=2: microdesc consensus and microdescriptors with ed25519 and curve25519
    /// keys; Desc=2 likewise for descriptor formats; FlowCtrl=1: authenticated SENDMEs; Link=4-5:
    /// link protocol versions negotiated by the channel; Relay=2: the ntor handshake (CREATE2/EXTEND2).
    /// </summary>
    public const string Text = "Cons=2 Desc=2 FlowCtrl=1 Link=4-5 Microdesc=2 Relay=2";

    public static ProtocolVersions Versions { get; } = ProtocolVersions.Parse(Text);

    /// <summary>What of <paramref name="required"/> this client lacks ("" when nothing).</summary>
    public static string Missing(ProtocolVersions required) => Versions.MissingFrom(required);
}
