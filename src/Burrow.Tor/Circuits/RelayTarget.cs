using System.Net;
using Burrow.Tor.Channels;
using Burrow.Tor.Identities;

namespace Burrow.Tor.Circuits;

/// <summary>One hop of a path: the relay's identities (RSA fingerprint, Ed25519 when known), its ntor
/// onion key (from its microdescriptor) and its ORPort.</summary>
internal sealed class RelayTarget
{
    public RelayTarget(RsaIdentity rsaIdentity, Ed25519Identity? ed25519Identity, ReadOnlyMemory<byte> ntorOnionKey, IPEndPoint orPort)
    {
        ArgumentNullException.ThrowIfNull(orPort);
        if (ntorOnionKey.Length != 32)
            throw new ArgumentException($"an ntor onion key is 32 bytes, got {ntorOnionKey.Length}", nameof(ntorOnionKey));
        Channel = new ChannelTarget(orPort, rsaIdentity, ed25519Identity);
        NtorOnionKey = ntorOnionKey.ToArray();
    }

    /// <summary>The ORPort and identities, as a channel to this relay must prove them.</summary>
    public ChannelTarget Channel { get; }

    public RsaIdentity RsaIdentity => Channel.RsaIdentity;

    public Ed25519Identity? Ed25519Identity => Channel.Ed25519Identity;

    public byte[] NtorOnionKey { get; }

    public IPEndPoint OrPort => Channel.OrPort;

    public string Fingerprint => Channel.Fingerprint;

    public override string ToString() => Channel.ToString();
}
