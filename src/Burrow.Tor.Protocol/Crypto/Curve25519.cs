// Curve25519 Diffie-Hellman as Tor uses it (tor-spec 0.3, 5.1.4), via BouncyCastle's RFC 7748 X25519.
using System.Security.Cryptography;
using Org.BouncyCastle.Math.EC.Rfc7748;

namespace Burrow.Tor.Crypto;

internal static class Curve25519
{
    public const int KeyLength = 32;

    /// <summary>Fills <paramref name="secret"/> with a fresh private key and <paramref name="publicKey"/> with its public key.</summary>
    public static void GenerateKeyPair(Span<byte> secret, Span<byte> publicKey)
    {
        RandomNumberGenerator.Fill(secret[..KeyLength]);
        X25519.ClampPrivateKey(secret[..KeyLength]);
        PublicKeyOf(secret, publicKey);
    }

    public static void PublicKeyOf(ReadOnlySpan<byte> secret, Span<byte> publicKey) =>
        X25519.ScalarMultBase(secret[..KeyLength], publicKey[..KeyLength]);

    /// <summary>
    /// EXP(pk, sk). Returns false when the result is the all-zero point, which a peer forces by sending
    /// a low-order point; the handshakes must then fail (tor-spec 5.1.4, prop 332 "Security notes").
    /// </summary>
    public static bool TryAgree(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> peerPublic, Span<byte> shared) =>
        X25519.CalculateAgreement(secret[..KeyLength], peerPublic[..KeyLength], shared[..KeyLength]);
}
