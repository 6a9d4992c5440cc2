namespace Burrow.Tor.NetDoc;

/// <summary>Why one "directory-signature" of a consensus did not count.</summary>
internal enum SignatureFailureReason
{
    /// <summary>The signing identity is not one of the configured authorities.</summary>
    UnknownAuthority,
    /// <summary>The algorithm is neither sha1 nor sha256 (such signatures are ignored, dir-spec 3.4.1).</summary>
    DigestAlgorithmUnsupported,
    /// <summary>No certificate for this authority identity was supplied.</summary>
    NoCertificate,
    /// <summary>Certificates for the authority exist, but none for the signing key the signature names.</summary>
    SigningKeyMismatch,
    /// <summary>The matching certificate fails its own checks (fingerprint, cross-certificate, certification).</summary>
    CertificateInvalid,
    /// <summary>The matching certificate expired before the verification time.</summary>
    CertificateExpired,
    /// <summary>The matching certificate is published after the verification time.</summary>
    CertificateNotYetValid,
    /// <summary>The RSA signature does not verify over the document digest.</summary>
    BadSignature,
}
