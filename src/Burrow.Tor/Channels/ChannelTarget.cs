using System.Net;
using Burrow.Tor.Identities;

namespace Burrow.Tor.Channels;

/// <summary>A relay to open a channel to: its ORPort and the identities it must prove in its CERTS
/// cell (tor-spec 2: the expected identity comes from the consensus or the fallback list).</summary>
internal sealed record ChannelTarget
{
    public ChannelTarget(IPEndPoint orPort, RsaIdentity rsaIdentity, Ed25519Identity? ed25519Identity = null)
    {
        ArgumentNullException.ThrowIfNull(orPort);
        OrPort = orPort;
        RsaIdentity = rsaIdentity;
        Ed25519Identity = ed25519Identity;
    }

    public IPEndPoint OrPort { get; }

    /// <summary>SHA-1 of the relay's RSA identity key (its fingerprint).</summary>
    public RsaIdentity RsaIdentity { get; }

    /// <summary>The relay's Ed25519 identity, checked when known.</summary>
    public Ed25519Identity? Ed25519Identity { get; }

    /// <summary>The fingerprint as 40 upper-case hex digits, for messages.</summary>
    public string Fingerprint => RsaIdentity.ToHex();

    public override string ToString() => $"${Fingerprint} at {OrPort}";
}
