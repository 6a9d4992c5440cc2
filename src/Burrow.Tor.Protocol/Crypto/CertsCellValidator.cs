// Client (initiator) check of a responder's CERTS cell for an Ed25519 + RSA identity
// (tor-spec 4.2 "CERTS cells"); the formats are X.509 for type 2 and cert-spec for types 4, 5, 7.
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.Tor.Cells;
using Burrow.Tor.Identities;

namespace Burrow.Tor.Crypto;

/// <summary>
/// Validates the certificates a relay sent in its CERTS cell, free of I/O: the channel code feeds
/// the entries, the SHA-256 of the relay's TLS certificate and the current time, and compares the
/// returned identities with the ones it expected. Every failure is a <see cref="TorCryptoException"/>
/// whose message names the check.
/// </summary>
internal static class CertsCellValidator
{
    /// <summary>tor-spec 4.2 caps the cell's count at one byte.</summary>
    public const int MaxEntries = 255;

    /// <summary>
    /// Checks: exactly one each of types 2, 4, 5, 7 (and no type twice); the type-2 X.509 identity
    /// certificate is a self-signed 1024-bit RSA key with exponent 65537 within its validity dates; type 4 certifies an
    /// Ed25519 signing key and is signed by the Ed25519 identity it embeds; type 5 is signed by that
    /// signing key and certifies <paramref name="tlsCertSha256"/>; type 7 binds that Ed25519
    /// identity and is signed by the type-2 RSA key; nothing has expired at <paramref name="now"/>.
    /// </summary>
    public static RelayLinkIdentity ValidateResponder(IReadOnlyList<CertsCellEntry> certs, ReadOnlySpan<byte> tlsCertSha256, DateTimeOffset now)
    {
        if (tlsCertSha256.Length != 32)
            throw new ArgumentException("the TLS certificate digest must be a 32-byte SHA-256", nameof(tlsCertSha256));
        if (certs.Count > MaxEntries)
            throw new TorCryptoException($"CERTS: {certs.Count} certificates, at most {MaxEntries} fit a CERTS cell");

        var idCert = TakeOne(certs, TorCertType.RsaIdentity, "RSA identity (type 2)");
        var signingCert = TakeOne(certs, TorCertType.Ed25519IdentityToSigning, "Ed25519 identity->signing (type 4)");
        var linkCert = TakeOne(certs, TorCertType.Ed25519SigningToTlsLink, "Ed25519 signing->TLS link (type 5)");
        var crossCert = TakeOne(certs, TorCertType.RsaToEd25519CrossCert, "RSA->Ed25519 cross-certificate (type 7)");
        var seen = new HashSet<LinkCertType>();
        foreach (var c in certs)
            if (!seen.Add(c.Type))
                throw new TorCryptoException($"CERTS: more than one certificate of type {(byte)c.Type}");

        // Type 2: self-signed RSA-1024 identity.
        var (rsaKey, idNotAfter) = CheckRsaIdentityCertificate(idCert.Span, now);

        // Type 4: identity -> signing key.
        const string t4 = "CERTS type-4 (Ed25519 identity->signing) certificate";
        var idToSigning = Ed25519Certificate.Parse(signingCert.Span);
        if (idToSigning.CertType != TorCertType.Ed25519IdentityToSigning)
            throw new TorCryptoException($"{t4}: has certificate type {idToSigning.CertType}, expected 4");
        if (idToSigning.CertifiedKeyType != CertifiedKeyType.Ed25519)
            throw new TorCryptoException($"{t4}: certifies key type {idToSigning.CertifiedKeyType}, expected 1 (Ed25519)");
        idToSigning.VerifySignatureWithEmbeddedKey(t4);
        idToSigning.CheckNotExpired(now, t4);
        var edIdentity = idToSigning.SignedWithKey!;
        var signingKey = idToSigning.CertifiedKey;

        // Type 5: signing key -> TLS link certificate digest.
        const string t5 = "CERTS type-5 (Ed25519 signing->TLS link) certificate";
        var signingToLink = Ed25519Certificate.Parse(linkCert.Span);
        if (signingToLink.CertType != TorCertType.Ed25519SigningToTlsLink)
            throw new TorCryptoException($"{t5}: has certificate type {signingToLink.CertType}, expected 5");
        if (signingToLink.CertifiedKeyType != CertifiedKeyType.Sha256OfX509)
            throw new TorCryptoException($"{t5}: certifies key type {signingToLink.CertifiedKeyType}, expected 3 (SHA-256 of an X.509 certificate)");
        signingToLink.VerifySignature(signingKey, t5 + " (signer: the type-4 signing key)");
        signingToLink.CheckNotExpired(now, t5);
        if (!CryptographicOperations.FixedTimeEquals(signingToLink.CertifiedKey, tlsCertSha256))
            throw new TorCryptoException($"{t5}: certifies a different TLS certificate than the one this connection used");

        // Type 7: RSA identity -> Ed25519 identity.
        const string t7 = "CERTS type-7 (RSA->Ed25519) cross-certificate";
        var cross = RsaEd25519CrossCert.Parse(crossCert.Span);
        if (!CryptographicOperations.FixedTimeEquals(cross.Ed25519Key, edIdentity))
            throw new TorCryptoException($"{t7}: certifies a different Ed25519 identity than the one that signed type 4");
        if (!cross.IsSignedBy(rsaKey))
            throw new TorCryptoException($"{t7}: is not signed by the RSA identity key of the type-2 certificate");
        if (cross.IsExpiredAt(now))
            throw new TorCryptoException($"{t7}: expired at {cross.Expires:u} (checked at {now.ToUniversalTime():u})");

        var validUntil = new[] { idNotAfter, idToSigning.Expires, signingToLink.Expires, cross.Expires }.Min();
        return new RelayLinkIdentity(rsaKey.Identity, new Ed25519Identity(edIdentity), rsaKey, signingKey, validUntil);
    }

    private static ReadOnlyMemory<byte> TakeOne(IReadOnlyList<CertsCellEntry> certs, byte type, string name)
    {
        ReadOnlyMemory<byte>? found = null;
        foreach (var c in certs)
        {
            if ((byte)c.Type != type)
                continue;
            if (found != null)
                throw new TorCryptoException($"CERTS: more than one {name} certificate");
            found = c.Certificate;
        }
        return found ?? throw new TorCryptoException($"CERTS: no {name} certificate");
    }

    /// <summary>Returns the identity key and the certificate's validUntil.</summary>
    private static (RsaPublicKey Key, DateTimeOffset NotAfter) CheckRsaIdentityCertificate(ReadOnlySpan<byte> der, DateTimeOffset now)
    {
        const string t2 = "CERTS type-2 (RSA identity) X.509 certificate";
        X509Certificate2 cert;
        try
        {
            cert = X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException e)
        {
            throw new TorCryptoException($"{t2}: not a DER X.509 certificate ({e.Message})", e);
        }
        using (cert)
        {
            using var rsa = PublicRsaKey(cert, t2);
            var key = RsaPublicKey.FromPkcs1Der(rsa.ExportRSAPublicKey());
            if (key.KeySizeBits != 1024)
                throw new TorCryptoException($"{t2}: the identity key is {key.KeySizeBits}-bit, must be 1024-bit");
            if (!key.HasTorExponent)
                throw new TorCryptoException($"{t2}: the identity key's public exponent is {Truncate(key.Exponent)}, must be {RsaPublicKey.TorExponent} (tor-spec 0.3)");
            if (!IsSelfSigned(der, rsa))
                throw new TorCryptoException($"{t2}: is not a single DER certificate correctly self-signed by its own key");
            var notBefore = new DateTimeOffset(cert.NotBefore);
            var notAfter = new DateTimeOffset(cert.NotAfter);
            if (now > notAfter)
                throw new TorCryptoException($"{t2}: expired at {notAfter.ToUniversalTime():u} (checked at {now.ToUniversalTime():u})");
            if (now < notBefore)
                throw new TorCryptoException($"{t2}: not valid before {notBefore.ToUniversalTime():u} (checked at {now.ToUniversalTime():u})");
            return (key, notAfter);
        }
    }

    /// <summary>The certificate's RSA key; a key whose bytes do not decode (found by fuzzing: OpenSSL's "decode
    /// error") is the relay's malformed certificate, not a crash.</summary>
    private static RSA PublicRsaKey(X509Certificate2 cert, string what)
    {
        try
        {
            return cert.GetRSAPublicKey() ?? throw new TorCryptoException($"{what}: its key is not an RSA key");
        }
        catch (CryptographicException e)
        {
            throw new TorCryptoException($"{what}: its RSA public key does not decode ({e.Message})", e);
        }
    }

    /// <summary>A peer's exponent can be as long as the key; keep the message short.</summary>
    private static string Truncate(System.Numerics.BigInteger value)
    {
        var text = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return text.Length <= 24 ? text : text[..24] + "...";
    }

    /// <summary>Verifies Certificate.signatureValue over tbsCertificate with the certificate's own key.</summary>
    private static bool IsSelfSigned(ReadOnlySpan<byte> der, RSA key)
    {
        try
        {
            var reader = new AsnReader(der.ToArray(), AsnEncodingRules.DER);
            var certificate = reader.ReadSequence();
            if (reader.HasData)
                return false;
            var tbs = certificate.ReadEncodedValue();
            var algorithm = certificate.ReadSequence();
            var oid = algorithm.ReadObjectIdentifier();
            var signature = certificate.ReadBitString(out var unusedBits);
            if (unusedBits != 0)
                return false;
            HashAlgorithmName hash = oid switch
            {
                "1.2.840.113549.1.1.5" => HashAlgorithmName.SHA1,
                "1.2.840.113549.1.1.11" => HashAlgorithmName.SHA256,
                "1.2.840.113549.1.1.12" => HashAlgorithmName.SHA384,
                "1.2.840.113549.1.1.13" => HashAlgorithmName.SHA512,
                _ => throw new TorCryptoException($"CERTS type-2 (RSA identity) X.509 certificate: signature algorithm {oid} is not an RSA PKCS#1 v1.5 algorithm"),
            };
            return key.VerifyData(tbs.Span, signature, hash, RSASignaturePadding.Pkcs1);
        }
        catch (AsnContentException)
        {
            return false;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
