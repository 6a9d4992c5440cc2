using Burrow.Tor.Identities;

namespace Burrow.Tor.Crypto;

/// <summary>What a relay's CERTS cell proved about it: both identities, and until when the proof holds.</summary>
/// <param name="RsaIdentity">SHA-1 of the RSA identity key's PKCS#1 DER (the relay's fingerprint).</param>
/// <param name="Ed25519Identity">The Ed25519 master identity key.</param>
/// <param name="RsaIdentityKey">The RSA-1024 identity key from the type-2 certificate.</param>
/// <param name="Ed25519SigningKey">The Ed25519 signing key certified by the identity (type 4), 32 bytes.</param>
/// <param name="ValidUntil">The earliest expiry among the certificates that were checked.</param>
internal sealed record RelayLinkIdentity(
    RsaIdentity RsaIdentity,
    Ed25519Identity Ed25519Identity,
    RsaPublicKey RsaIdentityKey,
    byte[] Ed25519SigningKey,
    DateTimeOffset ValidUntil);
