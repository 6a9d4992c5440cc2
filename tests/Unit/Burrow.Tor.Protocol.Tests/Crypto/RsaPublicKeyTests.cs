using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Burrow.Tor.Crypto;

namespace Burrow.Tor.Tests.Crypto;

public class RsaPublicKeyTests
{
    [Fact]
    public void AuthorityCertificateIdentityKeyFingerprintMatchesItsHeader()
    {
        var text = File.ReadAllText(Burrow.Tests.TestPaths.Tor("network-2026-06-27-md", "cached-certs"));
        var first = text[..text.IndexOf("-----END SIGNATURE-----", StringComparison.Ordinal)];
        var fp = Regex.Match(first, @"^fingerprint ([0-9A-F]{40})\r?$", RegexOptions.Multiline).Groups[1].Value;
        var idStart = first.IndexOf("dir-identity-key", StringComparison.Ordinal);
        var key = RsaPublicKey.FromPem(first[idStart..]);
        Assert.Equal(fp, key.Identity.ToHex());
        Assert.True(key.KeySizeBits >= 2048);
    }

    [Fact]
    public void VerifiesTorStyleSignatureAndRejectsTampering()
    {
        using var rsa = RSA.Create(1024);
        var key = RsaPublicKey.FromPkcs1Der(rsa.ExportRSAPublicKey());
        var digest = SHA256.HashData("hello tor"u8);
        // Tor's signature: private-key operation over 00 01 FF.. 00 digest (no DigestInfo).
        var p = rsa.ExportParameters(true);
        var k = p.Modulus!.Length;
        var em = new byte[k];
        em[1] = 1;
        em.AsSpan(2, k - 3 - digest.Length).Fill(0xFF);
        digest.CopyTo(em, k - digest.Length);
        var n = new System.Numerics.BigInteger(p.Modulus, true, true);
        var d = new System.Numerics.BigInteger(p.D, true, true);
        var sig = System.Numerics.BigInteger.ModPow(new System.Numerics.BigInteger(em, true, true), d, n).ToByteArray(true, true);
        sig = [.. new byte[k - sig.Length], .. sig];
        Assert.True(key.VerifyRawDigest(digest, sig));
        sig[^1] ^= 1;
        Assert.False(key.VerifyRawDigest(digest, sig));
        Assert.False(key.VerifyRawDigest(digest, sig.AsSpan(1)));
    }

    [Fact]
    public void GarbageKeyIsRejectedWithTorCryptoException()
    {
        Assert.Throws<TorCryptoException>(() => RsaPublicKey.FromPkcs1Der([0x30, 0x03, 0x02, 0x01]));
        Assert.Throws<TorCryptoException>(() => RsaPublicKey.FromPem("no pem here"));
    }
}
