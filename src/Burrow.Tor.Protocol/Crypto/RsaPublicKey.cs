// RSA as Tor uses it: PKCS#1 RSAPublicKey DER keys, fingerprints = SHA-1 of that DER, and
// signatures that are PKCS#1 v1.5 type-1 padded raw digests with no DigestInfo
// (tor-spec 0.3 "RSA"; dir-spec 1.3 "signature"; cert-spec 2.3 RSA->Ed25519 cross-certificate).
using System.Numerics;
using System.Security.Cryptography;
using Burrow.Tor.Identities;

namespace Burrow.Tor.Crypto;

/// <summary>An RSA public key (1024-bit relay keys, 2048/3072-bit authority keys).</summary>
internal sealed class RsaPublicKey
{
    private readonly BigInteger _modulus;
    private readonly BigInteger _exponent;

    private RsaPublicKey(byte[] der, BigInteger modulus, BigInteger exponent, int modulusBytes)
    {
        Der = der;
        _modulus = modulus;
        _exponent = exponent;
        ModulusBytes = modulusBytes;
        Sha1 = SHA1.HashData(der);
    }

    /// <summary>The PKCS#1 RSAPublicKey DER encoding.</summary>
    public byte[] Der { get; }

    /// <summary>SHA-1 of <see cref="Der"/>: the relay's RSA identity / the authority's v3ident.</summary>
    public byte[] Sha1 { get; }

    /// <summary><see cref="Sha1"/> as an identity (its hex form is the fingerprint).</summary>
    public RsaIdentity Identity => new(Sha1);

    public int ModulusBytes { get; }

    /// <summary>tor-spec 0.3: Tor's RSA keys use "a fixed exponent of 65537".</summary>
    public const int TorExponent = 65537;

    /// <summary>The public exponent.</summary>
    public BigInteger Exponent => _exponent;

    /// <summary>True when the exponent is <see cref="TorExponent"/>.</summary>
    public bool HasTorExponent => _exponent == TorExponent;

    public int KeySizeBits => ModulusBytes * 8;

    /// <summary>Parses a PKCS#1 RSAPublicKey DER encoding.</summary>
    public static RsaPublicKey FromPkcs1Der(ReadOnlySpan<byte> der)
    {
        RSAParameters p;
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportRSAPublicKey(der, out var read);
            if (read != der.Length)
                throw new TorCryptoException($"RSA public key: {der.Length - read} trailing bytes after the DER encoding");
            p = rsa.ExportParameters(false);
        }
        catch (CryptographicException e)
        {
            throw new TorCryptoException("RSA public key: not a PKCS#1 RSAPublicKey DER encoding (" + e.Message + ")", e);
        }
        var n = new BigInteger(p.Modulus, isUnsigned: true, isBigEndian: true);
        var exp = new BigInteger(p.Exponent, isUnsigned: true, isBigEndian: true);
        return new RsaPublicKey(der.ToArray(), n, exp, p.Modulus!.Length);
    }

    /// <summary>Parses "-----BEGIN RSA PUBLIC KEY-----" PEM text (as in directory documents).</summary>
    public static RsaPublicKey FromPem(string pem)
    {
        const string begin = "-----BEGIN RSA PUBLIC KEY-----", end = "-----END RSA PUBLIC KEY-----";
        var b = pem.IndexOf(begin, StringComparison.Ordinal);
        var e = pem.IndexOf(end, StringComparison.Ordinal);
        if (b < 0 || e < b)
            throw new TorCryptoException("RSA public key: expected a '" + begin + "' PEM block");
        var body = pem.AsSpan(b + begin.Length, e - b - begin.Length);
        byte[] der;
        try { der = Convert.FromBase64String(body.ToString()); }
        catch (FormatException) { throw new TorCryptoException("RSA public key: PEM body is not valid base64"); }
        return FromPkcs1Der(der);
    }

    /// <summary>
    /// Checks a Tor-style signature: signature^e mod n must be 00 01 FF.. 00 || digest, where the
    /// padding is at least 8 bytes of FF and the digest follows with no DigestInfo. Returns false
    /// for any mismatch (including wrong signature length); never throws for bad signatures.
    /// </summary>
    public bool VerifyRawDigest(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != ModulusBytes || digest.Length + 11 > ModulusBytes)
            return false;
        var s = new BigInteger(signature, isUnsigned: true, isBigEndian: true);
        if (s >= _modulus)
            return false;
        var m = BigInteger.ModPow(s, _exponent, _modulus);
        Span<byte> em = stackalloc byte[ModulusBytes];
        em.Clear();
        var len = m.GetByteCount(isUnsigned: true);
        if (len > ModulusBytes || !m.TryWriteBytes(em[(ModulusBytes - len)..], out _, isUnsigned: true, isBigEndian: true))
            return false;
        // 00 01 FF*N 00 digest, N = k - 3 - digest length >= 8.
        var padEnd = ModulusBytes - digest.Length - 1;
        if (em[0] != 0 || em[1] != 1 || em[padEnd] != 0)
            return false;
        for (var i = 2; i < padEnd; i++)
            if (em[i] != 0xFF)
                return false;
        return CryptographicOperations.FixedTimeEquals(em[(padEnd + 1)..], digest);
    }
}
