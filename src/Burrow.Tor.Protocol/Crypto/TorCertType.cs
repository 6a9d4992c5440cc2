// Certificate type numbers shared by CERTS cells (tor-spec 4.2) and Ed25519 certificates
// (cert-spec A.1). Kept as numbers, not an enum: unknown types are legal and must pass through.
namespace Burrow.Tor.Crypto;

internal static class TorCertType
{
    /// <summary>X.509 link key certificate signed by the RSA identity (RSA-only handshake).</summary>
    public const byte RsaLink = 1;

    /// <summary>X.509 self-signed RSA-1024 identity certificate.</summary>
    public const byte RsaIdentity = 2;

    /// <summary>X.509 AUTHENTICATE link certificate (initiators only).</summary>
    public const byte RsaAuthenticate = 3;

    /// <summary>Ed25519 signing key, signed by the Ed25519 identity key.</summary>
    public const byte Ed25519IdentityToSigning = 4;

    /// <summary>SHA-256 of the TLS link certificate, signed by the Ed25519 signing key.</summary>
    public const byte Ed25519SigningToTlsLink = 5;

    /// <summary>Ed25519 AUTHENTICATE key, signed by the Ed25519 signing key (initiators only).</summary>
    public const byte Ed25519SigningToAuthenticate = 6;

    /// <summary>RSA->Ed25519 cross-certificate (its own format, cert-spec 2.3).</summary>
    public const byte RsaToEd25519CrossCert = 7;

    /// <summary>Onion service: descriptor signing key signed with the blinded key.</summary>
    public const byte OnionServiceDescriptorSigning = 8;

    /// <summary>Onion service: introduction point authentication key.</summary>
    public const byte OnionServiceIntroAuth = 9;

    /// <summary>ntor onion key cross-certifying the Ed25519 identity (router descriptors).</summary>
    public const byte NtorOnionKeyCrossCert = 0x0A;

    /// <summary>Onion service: introduction point encryption key.</summary>
    public const byte OnionServiceIntroEncryption = 0x0B;
}
