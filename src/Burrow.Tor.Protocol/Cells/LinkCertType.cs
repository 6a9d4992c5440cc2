namespace Burrow.Tor.Cells;

/// <summary>CertType values of a CERTS cell (tor-spec 4.2). Types 1-3 are X.509 DER, 4-6 cert-spec
/// Ed25519 certificates, 7 the RSA->Ed25519 cross-certificate. Others are carried as-is.</summary>
internal enum LinkCertType : byte
{
    /// <summary>1: link key certificate certified by the RSA1024 identity.</summary>
    RsaLink = 1,
    /// <summary>2: RSA1024 identity certificate, self-signed.</summary>
    RsaIdentity = 2,
    /// <summary>3: RSA1024 AUTHENTICATE cell link certificate.</summary>
    RsaAuthenticate = 3,
    /// <summary>4: Ed25519 signing key, signed with the identity key.</summary>
    Ed25519Signing = 4,
    /// <summary>5: TLS link certificate, signed with the Ed25519 signing key.</summary>
    Ed25519Link = 5,
    /// <summary>6: Ed25519 AUTHENTICATE cell key, signed with the Ed25519 signing key.</summary>
    Ed25519Authenticate = 6,
    /// <summary>7: Ed25519 identity, signed with the RSA identity.</summary>
    RsaEd25519CrossCert = 7,
}
