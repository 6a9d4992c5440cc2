using System.Net;

namespace Burrow.Tor.Channels;

/// <summary>A relay to open a channel to: its ORPort and the identities it must prove in its CERTS
/// cell (tor-spec 2: the expected identity comes from the consensus or the fallback list).</summary>
internal sealed record ChannelTarget
{
    public ChannelTarget(IPEndPoint orPort, ReadOnlyMemory<byte> rsaIdentity, ReadOnlyMemory<byte>? ed25519Identity = null)
    {
        ArgumentNullException.ThrowIfNull(orPort);
        if (rsaIdentity.Length != 20)
            throw new ArgumentException($"an RSA identity (fingerprint) is 20 bytes, got {rsaIdentity.Length}", nameof(rsaIdentity));
        if (ed25519Identity is { Length: not 32 } ed)
            throw new ArgumentException($"an Ed25519 identity is 32 bytes, got {ed.Length}", nameof(ed25519Identity));
        OrPort = orPort;
        RsaIdentity = rsaIdentity.ToArray();
        Ed25519Identity = ed25519Identity?.ToArray();
    }

    public IPEndPoint OrPort { get; }

    /// <summary>SHA-1 of the relay's RSA identity key (20 bytes).</summary>
    public byte[] RsaIdentity { get; }

    /// <summary>The relay's Ed25519 identity (32 bytes), checked when known.</summary>
    public byte[]? Ed25519Identity { get; }

    /// <summary>The fingerprint as 40 upper-case hex digits (the channel manager's key).</summary>
    public string Fingerprint => Convert.ToHexString(RsaIdentity);

    public override string ToString() => $"${Fingerprint} at {OrPort}";

    public bool Equals(ChannelTarget? other) =>
        other is not null && OrPort.Equals(other.OrPort) && RsaIdentity.AsSpan().SequenceEqual(other.RsaIdentity)
        && (Ed25519Identity ?? []).AsSpan().SequenceEqual(other.Ed25519Identity ?? []);

    public override int GetHashCode() => HashCode.Combine(OrPort, Fingerprint);
}
