using System.Text;
using Burrow.Tor.NetDoc;
using static Burrow.Tor.Tests.NetDoc.NetDocTestData;

namespace Burrow.Tor.Tests.NetDoc;

public class AuthorityCertificateTests
{
    [Fact]
    public void CrlfCertificateSet2026ParsesAndEveryCertificateVerifies()
    {
        var raw = Bytes("network-2026-06-27-md", "cached-certs");
        Assert.Contains((byte)'\r', raw); // the stored copy really has CRLF line endings
        var certs = AuthorityCertificate.ParseAll(raw);
        Assert.Equal(9, certs.Count);
        Assert.All(certs, c => Assert.Equal(CertificateValidity.Valid, c.Validity));
        Assert.Equal(
            Authorities2026.Select(a => a.V3Ident).Order(),
            certs.Select(c => c.Fingerprint.ToHex()).Order());

        var dannenberg = certs.Single(c => c.Fingerprint.ToHex() == "0232AF901C31A04EE9848595AF9BB7620D4C5B2E");
        Assert.Equal(Utc("2026-02-15 22:39:01"), dannenberg.Published);
        Assert.Equal(Utc("2027-02-15 22:39:01"), dannenberg.Expires);
        Assert.Equal(3072, dannenberg.IdentityKey.KeySizeBits);
        Assert.Equal(2048, dannenberg.SigningKey.KeySizeBits);
        Assert.Equal(1, dannenberg.LineNumber);
    }

    [Fact]
    public void CrlfCertificatesOnlyVerifyAsLfText()
    {
        // The LF form is what was signed: the same bytes parsed without normalizing would not
        // even tokenize, and the normalized form verifies (previous test). Check that
        // normalization did not simply skip the certification: a changed byte breaks it.
        var raw = Bytes("network-2026-06-27-md", "cached-certs");
        var tampered = Replace(raw, "dir-key-published 2026-02-15 22:39:01", "dir-key-published 2026-02-15 22:39:02");
        var certs = AuthorityCertificate.ParseAll(tampered);
        Assert.Equal(CertificateValidity.BadCertification, certs[0].Validity);
        Assert.Equal(8, certs.Count(c => c.IsValid));
    }

    [Theory]
    [InlineData("network-2022-11-19-ns-md", "cached-certs", 9)]
    [InlineData("network-2019-12-15-md-complete", "cached-certs", 9)]
    [InlineData("private-network", "cached-certs", 3)]
    [InlineData("private-network", "authority_certificate.auth0", 1)]
    [InlineData("arti", "dirserver", "authcert-all", 17)]
    public void RealCertificateSetsVerify(params object[] args)
    {
        var parts = args[..^1].Cast<string>().ToArray();
        var count = (int)args[^1];
        var certs = Certs(parts);
        Assert.Equal(count, certs.Count);
        Assert.All(certs, c => Assert.True(c.IsValid, c + ": " + c.Validity));
    }

    [Fact]
    public void PrivateNetworkCertificatesMatchTheConfiguredAuthorities()
    {
        var certs = Certs("private-network", "cached-certs");
        Assert.Equal(PrivateAuthorities().Select(a => a.V3Ident).Order(), certs.Select(c => c.Fingerprint.ToHex()).Order());
        var single = AuthorityCertificate.Parse(Bytes("private-network", "authority_certificate.auth0"));
        Assert.Equal("61F074E9F9D611D41E24850D5E5E6A0CCAD97B28", single.Fingerprint.ToHex());
        Assert.Contains(certs, c => c.SigningKeyDigest == single.SigningKeyDigest);
        Assert.Equal("127.0.0.1:18001", single.DirAddress);
    }

    [Fact]
    public void ExpiryIsRelativeToTheGivenTime()
    {
        var cert = AuthorityCertificate.Parse(Bytes("private-network", "authority_certificate.auth0"));
        Assert.False(cert.IsExpiredAt(cert.Published));
        Assert.False(cert.IsExpiredAt(cert.Expires));
        Assert.True(cert.IsExpiredAt(cert.Expires.AddSeconds(1)));
        Assert.True(cert.IsNotYetValidAt(cert.Published.AddSeconds(-1)));
        Assert.False(cert.IsNotYetValidAt(cert.Published));
    }

    [Fact]
    public void WrongFingerprintIsReported()
    {
        var text = Text("private-network", "authority_certificate.auth0");
        var cert = AuthorityCertificate.Parse(text.Replace("fingerprint 61F074E9F9D611D41E24850D5E5E6A0CCAD97B28", "fingerprint 61F074E9F9D611D41E24850D5E5E6A0CCAD97B29"));
        Assert.Equal(CertificateValidity.FingerprintMismatch, cert.Validity);
    }

    [Fact]
    public void CrossCertificateFromAnotherKeyIsReported()
    {
        // auth0's certificate with auth1's dir-key-crosscert: well-formed, but not made by auth0's signing key.
        var auth0 = Text("private-network", "authority_certificate.auth0");
        var auth1 = Text("private-network", "authority_certificate.auth1");
        var cert = AuthorityCertificate.Parse(auth0.Replace(Section(auth0, "dir-key-crosscert"), Section(auth1, "dir-key-crosscert")));
        Assert.Equal(CertificateValidity.BadCrossCertificate, cert.Validity);
    }

    [Fact]
    public void SwappedSigningKeyBreaksTheCrossCertificate()
    {
        var auth0 = Text("private-network", "authority_certificate.auth0");
        var auth1 = Text("private-network", "authority_certificate.auth1");
        var cert = AuthorityCertificate.Parse(auth0.Replace(Section(auth0, "dir-signing-key"), Section(auth1, "dir-signing-key")));
        Assert.Equal(CertificateValidity.BadCrossCertificate, cert.Validity);
        Assert.Equal(AuthorityCertificate.Parse(auth1).SigningKeyDigest, cert.SigningKeyDigest);
    }

    [Fact]
    public void CrossCertificateTagWithoutIdIsParsed()
    {
        var text = Text("private-network", "authority_certificate.auth0");
        Assert.Contains("-----BEGIN ID SIGNATURE-----", text);
        // dir-spec 3.1 allows "SIGNATURE" as well as "ID SIGNATURE". The object lies inside the
        // certified text, so the edited copy parses but its certification no longer holds.
        var cert = AuthorityCertificate.Parse(text.Replace("ID SIGNATURE-----", "SIGNATURE-----"));
        Assert.Equal(CertificateValidity.BadCertification, cert.Validity);
    }

    [Theory]
    [InlineData("dir-key-certificate-version 3\n", "dir-key-certificate-version 4\n", "unsupported certificate version")]
    [InlineData("dir-key-expires ", "dir-key-expires 2001-01-01 00:00:00\ndir-key-expires ", "more than once")]
    [InlineData("dir-key-expires 2027-11-24 19:18:25", "dir-key-expires 2027-13-24 19:18:25", "invalid date")]
    [InlineData("dir-key-expires 2027-11-24 19:18:25", "dir-key-expires 2026-11-24 19:18:25", "not after")]
    [InlineData("fingerprint 61F074E9F9D611D41E24850D5E5E6A0CCAD97B28", "fingerprint 61F074E9F9D611D41E24850D5E5E6A0CCAD97B2", "hexadecimal")]
    [InlineData("-----BEGIN RSA PUBLIC KEY-----", "-----BEGIN RSA PRIVATE KEY-----", "does not match")]
    [InlineData("dir-identity-key\n", "dir-identity-key extra\n", "takes no arguments")]
    public void MalformedCertificatesFailWithAClearMessage(string find, string replace, string message)
    {
        var text = Text("private-network", "authority_certificate.auth0");
        Assert.Contains(find, text);
        var e = Assert.Throws<NetDocException>(() => AuthorityCertificate.Parse(text.Replace(find, replace)));
        Assert.Contains(message, e.Message);
        Assert.True(e.LineNumber > 0);
    }

    [Fact]
    public void MissingItemsAreNamed()
    {
        var text = Text("private-network", "authority_certificate.auth0");
        var noSigning = text.Replace(Section(text, "dir-signing-key"), "");
        Assert.Contains("'dir-signing-key'", Assert.Throws<NetDocException>(() => AuthorityCertificate.Parse(noSigning)).Message);
        var truncated = text[..text.IndexOf("dir-key-certification", StringComparison.Ordinal)];
        Assert.Contains("without 'dir-key-certification'", Assert.Throws<NetDocException>(() => AuthorityCertificate.Parse(truncated)).Message);
        Assert.Contains("no authority certificate", Assert.Throws<NetDocException>(() => AuthorityCertificate.ParseAll("")).Message);
    }

    [Fact]
    public void ParseRequiresExactlyOne()
    {
        var two = Bytes("private-network", "cached-certs");
        Assert.Contains("found 3", Assert.Throws<NetDocException>(() => AuthorityCertificate.Parse(two)).Message);
    }

    /// <summary>The keyword line of <paramref name="keyword"/> plus its object, up to the next item.</summary>
    internal static string Section(string cert, string keyword)
    {
        var start = cert.IndexOf(keyword + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0);
        var end = cert.IndexOf("-----END ", start, StringComparison.Ordinal);
        end = cert.IndexOf('\n', end) + 1;
        return cert[start..end];
    }
}
