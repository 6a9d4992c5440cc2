using System.Net;
using Burrow.Tor.Channels;
using Burrow.Tor.Identities;
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.Circuits;

/// <summary>One hop of a path: the relay's identities (RSA fingerprint, Ed25519 when known), its ntor
/// onion key (from its microdescriptor), its ORPort and the subprotocols the consensus lists for it
/// (which choose the handshake: ntor v3 for Relay=4, and whether congestion control can be asked for).</summary>
internal sealed class RelayTarget
{
    public RelayTarget(RsaIdentity rsaIdentity, Ed25519Identity? ed25519Identity, ReadOnlyMemory<byte> ntorOnionKey, IPEndPoint orPort,
        ProtocolVersions? protocols = null)
    {
        ArgumentNullException.ThrowIfNull(orPort);
        if (ntorOnionKey.Length != 32)
            throw new ArgumentException($"an ntor onion key is 32 bytes, got {ntorOnionKey.Length}", nameof(ntorOnionKey));
        Channel = new ChannelTarget(orPort, rsaIdentity, ed25519Identity);
        NtorOnionKey = ntorOnionKey.ToArray();
        Protocols = protocols ?? ProtocolVersions.Empty;
    }

    /// <summary>The relay's "pr" line; empty when unknown (then only ntor v1 and fixed windows are used).</summary>
    public ProtocolVersions Protocols { get; }

    /// <summary>tor-spec 9.3 Relay=4: the relay answers ntor v3 (it also needs an Ed25519 identity, the v3 NODEID).</summary>
    public bool SupportsNtorV3 => Ed25519Identity is not null && Protocols.Supports("Relay", 4);

    /// <summary>tor-spec 9.12 FlowCtrl=2: the relay, as an exit, negotiates congestion control (proposal 324).</summary>
    public bool SupportsCongestionControl => Protocols.Supports("FlowCtrl", 2);

    /// <summary>The ORPort and identities, as a channel to this relay must prove them.</summary>
    public ChannelTarget Channel { get; }

    public RsaIdentity RsaIdentity => Channel.RsaIdentity;

    public Ed25519Identity? Ed25519Identity => Channel.Ed25519Identity;

    public byte[] NtorOnionKey { get; }

    public IPEndPoint OrPort => Channel.OrPort;

    public string Fingerprint => Channel.Fingerprint;

    public override string ToString() => Channel.ToString();
}
