// The RSA->Ed25519 cross-certificate (cert-spec 2.3, CERTS cell type 7): ED25519_KEY [32]
// EXPIRATION_DATE [4, hours since the epoch] SIGLEN [1] SIGNATURE [SIGLEN], signed by the RSA
// identity key over SHA256("Tor TLS RSA/Ed25519 cross-certificate" | ED25519_KEY | EXPIRATION_DATE).
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Burrow.Tor.Crypto;

internal sealed class RsaEd25519CrossCert
{
    private static readonly byte[] Prefix = "Tor TLS RSA/Ed25519 cross-certificate"u8.ToArray();
    private const int SignedLength = 32 + 4;

    private readonly byte[] _signed;
    private readonly byte[] _signature;

    private RsaEd25519CrossCert(byte[] signed, byte[] signature)
    {
        _signed = signed;
        _signature = signature;
        Ed25519Key = signed[..32];
        ExpirationHours = BinaryPrimitives.ReadUInt32BigEndian(signed.AsSpan(32));
    }

    /// <summary>The Ed25519 identity the RSA identity vouches for.</summary>
    public byte[] Ed25519Key { get; }

    public uint ExpirationHours { get; }

    public DateTimeOffset Expires => DateTimeOffset.UnixEpoch.AddHours(ExpirationHours);

    /// <exception cref="TorCryptoException">Truncated, its length disagrees with SIGLEN, or it expires past year 9999.</exception>
    public static RsaEd25519CrossCert Parse(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length < SignedLength + 1)
            throw new TorCryptoException($"RSA->Ed25519 cross-certificate: {encoded.Length} bytes is too short (at least {SignedLength + 1})");
        var sigLen = encoded[SignedLength];
        if (encoded.Length != SignedLength + 1 + sigLen)
            throw new TorCryptoException($"RSA->Ed25519 cross-certificate: SIGLEN {sigLen} disagrees with its {encoded.Length} bytes");
        Ed25519Certificate.CheckExpirationHours(BinaryPrimitives.ReadUInt32BigEndian(encoded[32..]), "RSA->Ed25519 cross-certificate");
        return new RsaEd25519CrossCert(encoded[..SignedLength].ToArray(), encoded[(SignedLength + 1)..].ToArray());
    }

    public bool IsSignedBy(RsaPublicKey rsaIdentity)
    {
        Span<byte> input = stackalloc byte[Prefix.Length + SignedLength];
        Prefix.CopyTo(input);
        _signed.CopyTo(input[Prefix.Length..]);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(input, digest);
        return rsaIdentity.VerifyRawDigest(digest, _signature);
    }

    public bool IsExpiredAt(DateTimeOffset now) => now > Expires;
}
