namespace Burrow.Tor.NetDoc;

/// <summary>What a certificate's own checks found.</summary>
internal enum CertificateValidity
{
    Valid,
    /// <summary>The "fingerprint" line is not the SHA-1 of the identity key.</summary>
    FingerprintMismatch,
    /// <summary>"dir-key-crosscert" is not the signing key's signature over the identity key's digest.</summary>
    BadCrossCertificate,
    /// <summary>"dir-key-certification" is not the identity key's signature over the certificate.</summary>
    BadCertification,
}
