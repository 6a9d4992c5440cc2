namespace Burrow.Tor.Crypto;

/// <summary>One extension of an Ed25519 certificate (cert-spec 2.1): type, flags and data.</summary>
internal readonly record struct Ed25519CertExtension(byte Type, byte Flags, ReadOnlyMemory<byte> Data)
{
    /// <summary>The extension decides whether the certificate is valid: unknown ones invalidate it.</summary>
    public bool AffectsValidation => (Flags & Ed25519Certificate.FlagAffectsValidation) != 0;
}
