using System.Security.Cryptography;
using Burrow.Tor.Cells;
using Burrow.Tor.Crypto;
using Burrow.Tor.Identities;

namespace Burrow.Tor.Tests.Crypto;

public class CertsCellValidatorTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static RelayLinkIdentity ValidateChutney(List<CertsCellEntry> entries, DateTimeOffset? at = null, byte[]? tls = null) =>
        CertsCellValidator.ValidateResponder(entries, tls ?? ChutneyCertsCell.TlsCertSha256, at ?? ChutneyCertsCell.ValidAt);

    private static List<CertsCellEntry> Replace(List<CertsCellEntry> entries, byte type, byte[] body) =>
        entries.Select(e => (byte)e.Type == type ? new CertsCellEntry((LinkCertType)type, body) : e).ToList();

    private static string Fails(Func<object> validate) => Assert.Throws<TorCryptoException>(validate).Message;

    [Fact]
    public void ChutneyCertsCellValidates()
    {
        var entries = ChutneyCertsCell.Entries();
        // The TLS certificate of that connection is the cell's type-1 link certificate.
        Assert.Equal(ChutneyCertsCell.TlsCertSha256, SHA256.HashData(entries.Single(e => (byte)(byte)e.Type == 1).Certificate.Span));

        var id = ValidateChutney(entries);
        Assert.Equal(new RsaIdentity(ChutneyCertsCell.RsaIdentity), id.RsaIdentity);
        Assert.Equal(new Ed25519Identity(ChutneyCertsCell.Ed25519Identity), id.Ed25519Identity);
        Assert.Equal(1024, id.RsaIdentityKey.KeySizeBits);
        Assert.Equal(Convert.FromHexString("f82294b866a31f01fc5d0da8572850a9b929545c3266558d7d2316e3b74172b0"), id.Ed25519SigningKey);
        // The type-5 link certificate is the first to expire.
        Assert.Equal(new DateTimeOffset(2020, 9, 28, 18, 0, 0, TimeSpan.Zero), id.ValidUntil);
        Assert.Equal(id, id with { });
        ValidateChutney(entries, id.ValidUntil);
    }

    [Fact]
    public void ChutneyCertsCellIsRejectedOnceExpired()
    {
        var entries = ChutneyCertsCell.Entries();
        Assert.Contains("type-5", Fails(() => ValidateChutney(entries, new DateTimeOffset(2020, 9, 28, 18, 0, 1, TimeSpan.Zero))));
        Assert.Contains("type-4", Fails(() => ValidateChutney(entries, new DateTimeOffset(2020, 10, 27, 0, 0, 0, TimeSpan.Zero))));
        var late = Fails(() => ValidateChutney(entries, new DateTimeOffset(2021, 9, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Contains("type-2", late);
        Assert.Contains("expired", late);
        Assert.Contains("not valid before", Fails(() => ValidateChutney(entries, new DateTimeOffset(2020, 8, 1, 0, 0, 0, TimeSpan.Zero))));
    }

    [Fact]
    public void WrongTlsCertificateIsRejected()
    {
        var tls = ChutneyCertsCell.TlsCertSha256;
        tls[7] ^= 1;
        Assert.Contains("different TLS certificate", Fails(() => ValidateChutney(ChutneyCertsCell.Entries(), tls: tls)));
    }

    [Theory]
    [InlineData(2, -1, "self-signed")]          // X.509 signature bits
    [InlineData(4, -1, "type-4")]               // Ed25519 signature
    [InlineData(4, 10, "type-4")]               // certified signing key
    [InlineData(5, -3, "type-5")]
    [InlineData(5, 20, "type-5")]               // certified TLS digest
    [InlineData(7, -1, "type-7")]               // RSA signature
    [InlineData(7, 3, "type-7")]                // Ed25519 identity in the cross-certificate
    [InlineData(7, 33, "type-7")]               // its expiry
    public void AnyFlippedByteIsRejected(byte type, int index, string named)
    {
        var body = ChutneyCertsCell.Body(type);
        body[index < 0 ? body.Length + index : index] ^= 0x10;
        Assert.Contains(named, Fails(() => ValidateChutney(Replace(ChutneyCertsCell.Entries(), type, body))));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(7)]
    public void EachRequiredCertificateMustBePresentOnce(byte type)
    {
        var entries = ChutneyCertsCell.Entries();
        Assert.Contains($"no ", Fails(() => ValidateChutney(entries.Where(e => (byte)e.Type != type).ToList())));
        Assert.Contains("more than one", Fails(() => ValidateChutney([.. entries, entries.Single(e => (byte)e.Type == type)])));
    }

    [Fact]
    public void DuplicateOptionalCertificateIsRejected()
    {
        var entries = ChutneyCertsCell.Entries();
        Assert.Contains("type 1", Fails(() => ValidateChutney([.. entries, entries.Single(e => (byte)e.Type == 1)])));
        // Unknown types are allowed once.
        ValidateChutney([.. entries, new CertsCellEntry((LinkCertType)42, new byte[] { 1, 2, 3 })]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(7)]
    public void TruncatedCertificatesOnlyThrowTorCryptoException(byte type)
    {
        var full = ChutneyCertsCell.Body(type);
        var entries = ChutneyCertsCell.Entries();
        for (var len = 0; len < full.Length; len += type == 2 ? 7 : 1)
            Fails(() => ValidateChutney(Replace(entries, type, full[..len])));
        Fails(() => ValidateChutney(Replace(entries, type, [.. full, 0])));
    }

    [Fact]
    public void CrossCertificateByAnotherRsaKeyIsRejected()
    {
        // A genuine, self-signed 1024-bit identity certificate for a different RSA key.
        using var other = RSA.Create(1024);
        var otherId = TestCertFactory.RsaIdentityCert(other, ChutneyCertsCell.ValidAt.AddDays(-1), ChutneyCertsCell.ValidAt.AddDays(1));
        var message = Fails(() => ValidateChutney(Replace(ChutneyCertsCell.Entries(), 2, otherId)));
        Assert.Contains("type-7", message);
        Assert.Contains("RSA identity", message);

        var chain = new TestCertFactory.Chain(Now);
        using var stranger = RSA.Create(1024);
        chain.CrossCert = TestCertFactory.CrossCert(chain.Identity.Public, Now.AddDays(10), stranger);
        Assert.Contains("not signed by the RSA identity", Fails(chain.Validate));
    }

    [Fact]
    public void SyntheticChainValidatesAndReportsIdentities()
    {
        var chain = new TestCertFactory.Chain(Now);
        var id = chain.Validate();
        Assert.Equal(new Ed25519Identity(chain.Identity.Public), id.Ed25519Identity);
        Assert.Equal(chain.Signing.Public, id.Ed25519SigningKey);
        Assert.Equal(new RsaIdentity(SHA1.HashData(chain.Rsa.ExportRSAPublicKey())), id.RsaIdentity);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddHours(TestCertFactory.Hours(Now.AddDays(2))), id.ValidUntil);
    }

    [Fact]
    public void SyntheticChainBrokenOnePieceAtATime()
    {
        var c = new TestCertFactory.Chain(Now);
        var sign = c.Signing;
        var ident = c.Identity;

        // Unknown critical extension in the identity->signing certificate.
        c.SigningCert = TestCertFactory.Ed25519Cert(4, Now.AddDays(20), 1, sign.Public, ident, extraExtensions: [(0x77, 1, [0])]);
        Assert.Contains("AFFECTS_VALIDATION", Fails(c.Validate));

        // ...while an unknown non-critical one is fine.
        c = new TestCertFactory.Chain(Now);
        c.SigningCert = TestCertFactory.Ed25519Cert(4, Now.AddDays(20), 1, c.Signing.Public, c.Identity, extraExtensions: [(0x77, 0, [0])]);
        c.Validate();

        // Type 4 without the signed-with-ed25519-key extension: the identity is unknown.
        c = new TestCertFactory.Chain(Now);
        c.SigningCert = TestCertFactory.Ed25519Cert(4, Now.AddDays(20), 1, c.Signing.Public, c.Identity, embedSigner: false);
        Assert.Contains("signed-with", Fails(c.Validate));

        // Type 4 that says it is another cert type, or certifies a digest instead of a key.
        c = new TestCertFactory.Chain(Now);
        c.SigningCert = TestCertFactory.Ed25519Cert(6, Now.AddDays(20), 1, c.Signing.Public, c.Identity);
        Assert.Contains("expected 4", Fails(c.Validate));
        c.SigningCert = TestCertFactory.Ed25519Cert(4, Now.AddDays(20), 3, c.Signing.Public, c.Identity);
        Assert.Contains("key type", Fails(c.Validate));

        // Type 5 signed by the identity key rather than the signing key.
        c = new TestCertFactory.Chain(Now);
        c.LinkCert = TestCertFactory.Ed25519Cert(5, Now.AddDays(2), 3, c.TlsDigest, c.Identity, embedSigner: false);
        Assert.Contains("does not verify", Fails(c.Validate));
        c.LinkCert = TestCertFactory.Ed25519Cert(5, Now.AddDays(2), 3, c.TlsDigest, c.Identity, embedSigner: true);
        Assert.Contains("another key", Fails(c.Validate));
        c.LinkCert = TestCertFactory.Ed25519Cert(5, Now.AddDays(2), 1, c.TlsDigest, c.Signing);
        Assert.Contains("expected 3", Fails(c.Validate));

        // Cross-certificate for another Ed25519 identity, or expired.
        c = new TestCertFactory.Chain(Now);
        c.CrossCert = TestCertFactory.CrossCert(TestCertFactory.NewEd25519Key().Public, Now.AddDays(10), c.Rsa);
        Assert.Contains("different Ed25519 identity", Fails(c.Validate));
        c.CrossCert = TestCertFactory.CrossCert(c.Identity.Public, Now.AddDays(-1), c.Rsa);
        Assert.Contains("type-7", Fails(c.Validate));

        // Expired type 4 and type 5.
        c = new TestCertFactory.Chain(Now);
        c.SigningCert = TestCertFactory.Ed25519Cert(4, Now.AddHours(-2), 1, c.Signing.Public, c.Identity);
        Assert.Contains("expired", Fails(c.Validate));
        c = new TestCertFactory.Chain(Now);
        c.LinkCert = TestCertFactory.Ed25519Cert(5, Now.AddHours(-2), 3, c.TlsDigest, c.Signing);
        Assert.Contains("expired", Fails(c.Validate));
    }

    [Fact]
    public void IdentityKeyMustBe1024Bit()
    {
        var chain = new TestCertFactory.Chain(Now, rsaBits: 2048);
        Assert.Contains("1024-bit", Fails(chain.Validate));
    }

    [Fact]
    public void NonRsaIdentityCertificateIsRejected()
    {
        var chain = new TestCertFactory.Chain(Now);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=x", ec, HashAlgorithmName.SHA256);
        using var cert = req.CreateSelfSigned(Now.AddDays(-1), Now.AddDays(1));
        chain.IdCert = cert.RawData;
        Assert.Contains("not an RSA key", Fails(chain.Validate));
    }
}
