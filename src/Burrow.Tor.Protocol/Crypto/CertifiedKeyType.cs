// CERT_KEY_TYPE values of Ed25519 certificates (cert-spec A.4).
namespace Burrow.Tor.Crypto;

internal static class CertifiedKeyType
{
    public const byte Ed25519 = 1;
    public const byte Sha256OfRsaKey = 2;
    public const byte Sha256OfX509 = 3;
}
