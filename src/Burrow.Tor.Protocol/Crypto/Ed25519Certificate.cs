// Tor's Ed25519 certificates (cert-spec 2.1, 2.2.1): VERSION [1] CERT_TYPE [1] EXPIRATION_DATE
// [4, hours since the epoch] CERT_KEY_TYPE [1] CERTIFIED_KEY [32] N_EXTENSIONS [1] EXTENSIONS
// SIGNATURE [64], the signature by an Ed25519 key over all bytes before it.
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Burrow.Tor.Crypto;

/// <summary>A parsed Ed25519 certificate. Parsing checks the format; signature and time are checked on request.</summary>
internal sealed class Ed25519Certificate
{
    public const byte Version1 = 1;
    public const byte FlagAffectsValidation = 1;
    public const byte ExtensionSignedWithEd25519Key = 4;
    public const int SignatureLength = 64;
    public const int MinLength = 1 + 1 + 4 + 1 + 32 + 1 + SignatureLength;   // 104

    /// <summary>Certificates travel in cells and descriptors; nothing legitimate comes near this.</summary>
    public const int MaxLength = 8192;

    /// <summary>
    /// The last EXPIRATION_DATE (hours since the epoch) a <see cref="DateTimeOffset"/> can hold: the
    /// 32-bit field reaches far past year 9999. Later dates are refused at parse time, so
    /// <see cref="Expires"/> can never throw on a peer's value.
    /// </summary>
    public static readonly uint MaxExpirationHours = (uint)((DateTimeOffset.MaxValue - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerHour);

    private readonly byte[] _encoded;

    private Ed25519Certificate(byte[] encoded, byte certType, uint expirationHours, byte keyType, byte[] certifiedKey,
        IReadOnlyList<Ed25519CertExtension> extensions, byte[]? signedWithKey)
    {
        _encoded = encoded;
        CertType = certType;
        ExpirationHours = expirationHours;
        CertifiedKeyType = keyType;
        CertifiedKey = certifiedKey;
        Extensions = extensions;
        SignedWithKey = signedWithKey;
    }

    public byte CertType { get; }

    /// <summary>EXPIRATION_DATE: hours since 1970-01-01T00:00Z after which the certificate is not valid.</summary>
    public uint ExpirationHours { get; }

    public DateTimeOffset Expires => DateTimeOffset.UnixEpoch.AddHours(ExpirationHours);

    public byte CertifiedKeyType { get; }

    /// <summary>An Ed25519 key (key type 1) or a SHA-256 digest (types 2, 3).</summary>
    public byte[] CertifiedKey { get; }

    public IReadOnlyList<Ed25519CertExtension> Extensions { get; }

    /// <summary>The key from the signed-with-ed25519-key extension (type 4), if present.</summary>
    public byte[]? SignedWithKey { get; }

    public ReadOnlySpan<byte> Encoded => _encoded;

    /// <summary>Parses a certificate.</summary>
    /// <exception cref="TorCryptoException">
    /// Wrong version, truncated or overlong fields, an expiration past year 9999, a malformed signed-with-key extension, or an
    /// unknown extension flagged AFFECTS_VALIDATION.
    /// </exception>
    public static Ed25519Certificate Parse(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length < MinLength)
            throw new TorCryptoException($"Ed25519 certificate: {encoded.Length} bytes is too short (at least {MinLength})");
        if (encoded.Length > MaxLength)
            throw new TorCryptoException($"Ed25519 certificate: {encoded.Length} bytes is too long (at most {MaxLength})");
        if (encoded[0] != Version1)
            throw new TorCryptoException($"Ed25519 certificate: version {encoded[0]} is not supported (only 1)");
        var certType = encoded[1];
        var expiration = BinaryPrimitives.ReadUInt32BigEndian(encoded[2..]);
        CheckExpirationHours(expiration, "Ed25519 certificate");
        var keyType = encoded[6];
        var certified = encoded.Slice(7, 32).ToArray();
        int n = encoded[39];

        var signedEnd = encoded.Length - SignatureLength;
        var extensions = new List<Ed25519CertExtension>(n);
        byte[]? signedWith = null;
        var pos = 40;
        for (var i = 0; i < n; i++)
        {
            if (signedEnd - pos < 4)
                throw new TorCryptoException($"Ed25519 certificate: extension {i + 1} of {n} is truncated");
            var len = BinaryPrimitives.ReadUInt16BigEndian(encoded[pos..]);
            var type = encoded[pos + 2];
            var flags = encoded[pos + 3];
            if (signedEnd - pos - 4 < len)
                throw new TorCryptoException($"Ed25519 certificate: extension {i + 1} of {n} (type {type}) declares {len} bytes, only {signedEnd - pos - 4} remain before the signature");
            var data = encoded.Slice(pos + 4, len).ToArray();
            pos += 4 + len;
            if (type == ExtensionSignedWithEd25519Key)
            {
                if (len != 32)
                    throw new TorCryptoException($"Ed25519 certificate: signed-with-ed25519-key extension is {len} bytes, must be 32");
                if (signedWith != null)
                    throw new TorCryptoException("Ed25519 certificate: more than one signed-with-ed25519-key extension");
                signedWith = data;
            }
            else if ((flags & FlagAffectsValidation) != 0)
            {
                throw new TorCryptoException($"Ed25519 certificate: unknown extension type {type} is marked AFFECTS_VALIDATION");
            }
            extensions.Add(new Ed25519CertExtension(type, flags, data));
        }
        if (pos != signedEnd)
            throw new TorCryptoException($"Ed25519 certificate: {signedEnd - pos} unexpected bytes between the extensions and the signature");
        return new Ed25519Certificate(encoded.ToArray(), certType, expiration, keyType, certified, extensions, signedWith);
    }

    /// <exception cref="TorCryptoException"><paramref name="hours"/> is past year 9999.</exception>
    internal static void CheckExpirationHours(uint hours, string what)
    {
        if (hours > MaxExpirationHours)
            throw new TorCryptoException($"{what}: EXPIRATION_DATE {hours} (hours since 1970) is past the year 9999; at most {MaxExpirationHours} is accepted");
    }

    /// <summary>True if the signature verifies with <paramref name="signingKey"/> (and any embedded key is that key).</summary>
    public bool IsSignedBy(ReadOnlySpan<byte> signingKey)
    {
        if (signingKey.Length != 32)
            return false;
        if (SignedWithKey != null && !CryptographicOperations.FixedTimeEquals(SignedWithKey, signingKey))
            return false;
        var signed = _encoded.AsSpan(0, _encoded.Length - SignatureLength);
        var signature = _encoded.AsSpan(_encoded.Length - SignatureLength);
        return Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Verify(signature, signingKey, signed);
    }

    /// <summary>Checks the signature with a key the caller expects (cert-spec: know the signer first).</summary>
    /// <exception cref="TorCryptoException">The signature does not verify, or the embedded key is another key.</exception>
    public void VerifySignature(ReadOnlySpan<byte> signingKey, string what = "Ed25519 certificate")
    {
        if (SignedWithKey != null && (signingKey.Length != 32 || !CryptographicOperations.FixedTimeEquals(SignedWithKey, signingKey)))
            throw new TorCryptoException($"{what}: its signed-with-ed25519-key extension names another key than the expected signer");
        if (!IsSignedBy(signingKey))
            throw new TorCryptoException($"{what}: the Ed25519 signature does not verify");
    }

    /// <summary>Checks the signature with the key in the signed-with-ed25519-key extension, which must be present.</summary>
    public void VerifySignatureWithEmbeddedKey(string what = "Ed25519 certificate")
    {
        if (SignedWithKey == null)
            throw new TorCryptoException($"{what}: has no signed-with-ed25519-key extension naming its signer");
        VerifySignature(SignedWithKey, what);
    }

    /// <summary>True once <paramref name="now"/> is past the expiration date.</summary>
    public bool IsExpiredAt(DateTimeOffset now) => now > Expires;

    /// <exception cref="TorCryptoException">The certificate has expired at <paramref name="now"/>.</exception>
    public void CheckNotExpired(DateTimeOffset now, string what = "Ed25519 certificate")
    {
        if (IsExpiredAt(now))
            throw new TorCryptoException($"{what}: expired at {Expires:u} (checked at {now.ToUniversalTime():u})");
    }
}
