using System.Security.Cryptography.X509Certificates;
using Burrow.Tor.Crypto;

namespace Burrow.Tor.Tests.Crypto;

public class Ed25519CertificateTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ParsesTheChutneyIdentityToSigningCertificate()
    {
        var cert = Ed25519Certificate.Parse(ChutneyCertsCell.Body(4));
        Assert.Equal(TorCertType.Ed25519IdentityToSigning, cert.CertType);
        Assert.Equal(CertifiedKeyType.Ed25519, cert.CertifiedKeyType);
        Assert.Equal(Convert.FromHexString("f82294b866a31f01fc5d0da8572850a9b929545c3266558d7d2316e3b74172b0"), cert.CertifiedKey);
        Assert.Equal(ChutneyCertsCell.Ed25519Identity, cert.SignedWithKey);
        Assert.Equal(new DateTimeOffset(2020, 10, 26, 18, 0, 0, TimeSpan.Zero), cert.Expires);
        var ext = Assert.Single(cert.Extensions);
        Assert.Equal(4, ext.Type);
        Assert.False(ext.AffectsValidation);
        cert.VerifySignatureWithEmbeddedKey();
        cert.VerifySignature(ChutneyCertsCell.Ed25519Identity);
        Assert.False(cert.IsSignedBy(cert.CertifiedKey));
    }

    [Fact]
    public void ParsesTheChutneyLinkCertificate()
    {
        var cert = Ed25519Certificate.Parse(ChutneyCertsCell.Body(5));
        Assert.Equal(TorCertType.Ed25519SigningToTlsLink, cert.CertType);
        Assert.Equal(CertifiedKeyType.Sha256OfX509, cert.CertifiedKeyType);
        Assert.Equal(ChutneyCertsCell.TlsCertSha256, cert.CertifiedKey);
        Assert.Null(cert.SignedWithKey);
        Assert.Empty(cert.Extensions);
        Assert.Equal(new DateTimeOffset(2020, 9, 28, 18, 0, 0, TimeSpan.Zero), cert.Expires);
        Assert.False(cert.IsExpiredAt(cert.Expires));
        Assert.True(cert.IsExpiredAt(cert.Expires.AddSeconds(1)));
        Assert.Contains("expired", Assert.Throws<TorCryptoException>(() => cert.CheckNotExpired(cert.Expires.AddHours(1))).Message);
        Assert.Contains("signed-with", Assert.Throws<TorCryptoException>(() => cert.VerifySignatureWithEmbeddedKey()).Message);
    }

    [Fact]
    public void FlippedSignatureBitFailsVerification()
    {
        var bytes = ChutneyCertsCell.Body(4);
        bytes[^10] ^= 0x08;
        var cert = Ed25519Certificate.Parse(bytes);
        Assert.Contains("does not verify", Assert.Throws<TorCryptoException>(() => cert.VerifySignatureWithEmbeddedKey()).Message);
    }

    [Fact]
    public void EmbeddedSignerMustBeTheExpectedSigner()
    {
        var signer = TestCertFactory.NewEd25519Key();
        var other = TestCertFactory.NewEd25519Key();
        var cert = Ed25519Certificate.Parse(TestCertFactory.Ed25519Cert(4, Now, 1, new byte[32], signer));
        cert.VerifySignature(signer.Public);
        Assert.Contains("another key", Assert.Throws<TorCryptoException>(() => cert.VerifySignature(other.Public)).Message);
    }

    [Fact]
    public void UnknownExtensionFlaggedAffectsValidationIsRejected()
    {
        var signer = TestCertFactory.NewEd25519Key();
        var critical = TestCertFactory.Ed25519Cert(4, Now, 1, new byte[32], signer, extraExtensions: [(9, 1, [1, 2, 3])]);
        Assert.Contains("AFFECTS_VALIDATION", Assert.Throws<TorCryptoException>(() => Ed25519Certificate.Parse(critical)).Message);

        var harmless = TestCertFactory.Ed25519Cert(4, Now, 1, new byte[32], signer, extraExtensions: [(9, 0, [1, 2, 3]), (10, 0x80, [])]);
        var cert = Ed25519Certificate.Parse(harmless);
        Assert.Equal(3, cert.Extensions.Count);
        Assert.Equal(new byte[] { 1, 2, 3 }, cert.Extensions[1].Data.ToArray());
        cert.VerifySignatureWithEmbeddedKey();
    }

    [Fact]
    public void MalformedCertificatesAreRejected()
    {
        var signer = TestCertFactory.NewEd25519Key();
        var good = TestCertFactory.Ed25519Cert(4, Now, 1, new byte[32], signer);
        Ed25519Certificate.Parse(good);

        Assert.Contains("version", Assert.Throws<TorCryptoException>(() =>
            Ed25519Certificate.Parse(TestCertFactory.Ed25519Cert(4, Now, 1, new byte[32], signer, version: 2))).Message);
        Assert.Contains("must be 32", Assert.Throws<TorCryptoException>(() =>
            Ed25519Certificate.Parse(TestCertFactory.Ed25519Cert(4, Now, 1, new byte[32], signer, embedSigner: false, extraExtensions: [(4, 0, new byte[31])]))).Message);
        Assert.Contains("more than one", Assert.Throws<TorCryptoException>(() =>
            Ed25519Certificate.Parse(TestCertFactory.Ed25519Cert(4, Now, 1, new byte[32], signer, extraExtensions: [(4, 0, signer.Public)]))).Message);

        // N_EXTENSIONS larger than what is there, and bytes left over before the signature.
        var moreExts = (byte[])good.Clone();
        moreExts[39] = 2;
        Assert.Throws<TorCryptoException>(() => Ed25519Certificate.Parse(moreExts));
        var fewerExts = (byte[])good.Clone();
        fewerExts[39] = 0;
        Assert.Contains("unexpected bytes", Assert.Throws<TorCryptoException>(() => Ed25519Certificate.Parse(fewerExts)).Message);
        var longExt = (byte[])good.Clone();
        longExt[41] = 0xFF;
        Assert.Throws<TorCryptoException>(() => Ed25519Certificate.Parse(longExt));
    }

    [Fact]
    public void EveryTruncationIsATorCryptoException()
    {
        foreach (var type in new byte[] { 4, 5 })
        {
            var full = ChutneyCertsCell.Body(type);
            for (var len = 0; len < full.Length; len++)
                Assert.Throws<TorCryptoException>(() => Ed25519Certificate.Parse(full.AsSpan(0, len)));
        }
        Assert.Throws<TorCryptoException>(() => Ed25519Certificate.Parse([]));
        Assert.Throws<TorCryptoException>(() => Ed25519Certificate.Parse(new byte[Ed25519Certificate.MaxLength + 1]));
    }

    [Theory]
    [InlineData(TorCertType.Ed25519SigningToAuthenticate, CertifiedKeyType.Ed25519)]
    [InlineData(TorCertType.OnionServiceDescriptorSigning, CertifiedKeyType.Ed25519)]
    [InlineData(TorCertType.OnionServiceIntroAuth, CertifiedKeyType.Ed25519)]
    [InlineData(TorCertType.NtorOnionKeyCrossCert, CertifiedKeyType.Ed25519)]
    [InlineData(0x42, CertifiedKeyType.Sha256OfRsaKey)]
    public void OtherCertificateTypesParseAndVerify(byte certType, byte keyType)
    {
        var signer = TestCertFactory.NewEd25519Key();
        var key = TestCertFactory.NewEd25519Key().Public;
        var expires = new DateTimeOffset(2031, 1, 2, 3, 0, 0, TimeSpan.Zero);
        var cert = Ed25519Certificate.Parse(TestCertFactory.Ed25519Cert(certType, expires, keyType, key, signer, embedSigner: false));
        Assert.Equal(certType, cert.CertType);
        Assert.Equal(keyType, cert.CertifiedKeyType);
        Assert.Equal(key, cert.CertifiedKey);
        Assert.Equal(expires, cert.Expires);
        cert.VerifySignature(signer.Public);
        Assert.False(cert.IsSignedBy(key));
        Assert.False(cert.IsSignedBy(new byte[31]));
    }

    [Fact]
    public void ParsesTheChutneyCrossCertificate()
    {
        var cross = RsaEd25519CrossCert.Parse(ChutneyCertsCell.Body(7));
        Assert.Equal(ChutneyCertsCell.Ed25519Identity, cross.Ed25519Key);
        Assert.Equal(0x0006DA3Au, cross.ExpirationHours);
        Assert.Equal(new DateTimeOffset(2021, 3, 25, 18, 0, 0, TimeSpan.Zero), cross.Expires);
        Assert.False(cross.IsExpiredAt(ChutneyCertsCell.ValidAt));

        using var x509 = X509CertificateLoader.LoadCertificate(ChutneyCertsCell.Body(2));
        using var rsa = x509.GetRSAPublicKey()!;
        var identity = RsaPublicKey.FromPkcs1Der(rsa.ExportRSAPublicKey());
        Assert.Equal(ChutneyCertsCell.RsaIdentity, identity.Sha1);
        Assert.True(cross.IsSignedBy(identity));

        using var otherRsa = System.Security.Cryptography.RSA.Create(1024);
        Assert.False(cross.IsSignedBy(RsaPublicKey.FromPkcs1Der(otherRsa.ExportRSAPublicKey())));

        var body = ChutneyCertsCell.Body(7);
        for (var len = 0; len < body.Length; len++)
            Assert.Throws<TorCryptoException>(() => RsaEd25519CrossCert.Parse(body.AsSpan(0, len)));
        Assert.Throws<TorCryptoException>(() => RsaEd25519CrossCert.Parse([.. body, 0]));
    }
}
