using Burrow.Tor.NetDoc;
using static Burrow.Tor.Tests.NetDoc.NetDocTestData;

namespace Burrow.Tor.Tests.NetDoc;

public class ConsensusVerifierTests
{
    private static ConsensusVerification Verify(MicrodescConsensus c, IEnumerable<AuthorityCertificate> certs, IReadOnlyList<DirAuthority> auths, DateTime? at = null) =>
        ConsensusVerifier.Verify(c, certs, auths, at ?? c.ValidAfter);

    [Fact]
    public void Network2026AllNineSignaturesVerify()
    {
        var c = Consensus("network-2026-06-27-md", "cached-microdesc-consensus");
        var v = Verify(c, Certs("network-2026-06-27-md", "cached-certs"), Authorities2026);
        Assert.True(v.IsAccepted, v.ToString());
        Assert.Equal(9, v.ValidSigners.Count);
        Assert.Empty(v.Failures);
        Assert.Empty(v.NotSigned);
        Assert.Equal(5, v.Required);
        Assert.Same(c, v.Consensus);
    }

    [Theory]
    [InlineData("network-2022-11-19-ns-md", "cached-microdesc-consensus")]
    [InlineData("network-2022-11-19-ns-md", "cached-consensus")]
    public void Network2022EightOfNineVerify(string folder, string file)
    {
        var c = Consensus(folder, file);
        var v = Verify(c, Certs(folder, "cached-certs"), Authorities2019To2022);
        Assert.True(v.IsAccepted, v.ToString());
        Assert.Equal(8, v.ValidSigners.Count);
        Assert.Empty(v.Failures);
        Assert.Equal(["dannenberg"], v.NotSigned.Select(a => a.Name)); // listed as dir-source, did not sign
    }

    [Fact]
    public void Network2019AllNineVerify()
    {
        var c = Consensus("network-2019-12-15-md-complete", "cached-microdesc-consensus");
        var v = Verify(c, Certs("network-2019-12-15-md-complete", "cached-certs"), Authorities2019To2022);
        Assert.True(v.IsAccepted, v.ToString());
        Assert.Equal(9, v.ValidSigners.Count);
        Assert.Empty(v.Failures);
    }

    [Theory]
    [InlineData("cached-microdesc-consensus")]
    [InlineData("cached-consensus.ns-flavour")]
    public void PrivateNetworkVerifiesWithItsThreeAuthorities(string file)
    {
        var c = Consensus("private-network", file);
        var v = Verify(c, Certs("private-network", "cached-certs"), PrivateAuthorities());
        Assert.True(v.IsAccepted, v.ToString());
        Assert.Equal(["auth1", "auth0", "auth2"], v.ValidSigners.Select(a => a.Name));
        Assert.Equal(2, v.Required);
    }

    [Fact]
    public void PrivateNetworkCertificatesFromIndividualFilesWorkToo()
    {
        var certs = new[] { "auth0", "auth1", "auth2" }
            .Select(n => AuthorityCertificate.Parse(Bytes("private-network", "authority_certificate." + n)));
        var v = Verify(Consensus("private-network", "cached-microdesc-consensus"), certs, PrivateAuthorities());
        Assert.True(v.IsAccepted, v.ToString());
    }

    [Fact]
    public void CutDownLiveConsensusFailsWithBadSignatures()
    {
        // arti's testdata-live consensus was cut down to 5 routers but kept the original
        // signatures; its authorities' keys are those of the 2026-06-27 set.
        var c = Consensus("arti", "testdata-live", "consensus-microdesc");
        var v = Verify(c, Certs("network-2026-06-27-md", "cached-certs"), Authorities2026);
        Assert.False(v.IsAccepted);
        Assert.Empty(v.ValidSigners);
        Assert.Equal(9, v.Failures.Count);
        // bastet signed with a newer key than the June set certifies; the other eight
        // signatures have their certificate and are bad.
        Assert.Equal(SignatureFailureReason.SigningKeyMismatch, v.Failures.Single(f => f.AuthorityName == "bastet").Reason);
        Assert.All(v.Failures.Where(f => f.AuthorityName != "bastet"), f => Assert.Equal(SignatureFailureReason.BadSignature, f.Reason));
        Assert.Contains("does not verify", v.Failures[0].Message);
        Assert.Contains("rejected: 0 of 9", v.ToString());
    }

    [Fact]
    public void CutDownLiveConsensusFailsWithArtisCertificateSetToo()
    {
        var c = Consensus("arti", "testdata-live", "consensus-microdesc");
        var v = Verify(c, Certs("arti", "dirserver", "authcert-all"), Authorities2026);
        Assert.False(v.IsAccepted);
        Assert.Empty(v.ValidSigners);
        Assert.Equal(9, v.Failures.Count);
        // Every failure has a specific reason: signatures with a current certificate are bad,
        // the others lack a certificate for their signing key or have an expired one.
        Assert.Contains(v.Failures, f => f.Reason == SignatureFailureReason.BadSignature);
        Assert.All(v.Failures, f => Assert.Contains(f.Reason,
            new[] { SignatureFailureReason.BadSignature, SignatureFailureReason.SigningKeyMismatch, SignatureFailureReason.CertificateExpired }));
    }

    [Fact]
    public void OneChangedByteInARouterLineBreaksEverySignature()
    {
        var doc = Bytes("network-2026-06-27-md", "cached-microdesc-consensus");
        var tampered = Replace(doc, "r lisdex AAAErLudKby6FyVrs1ko3b/Iq6k 2038-01-01 00:00:00 152.53.144.50 8443 0",
            "r lisdex AAAErLudKby6FyVrs1ko3b/Iq6k 2038-01-01 00:00:00 152.53.144.51 8443 0");
        var c = MicrodescConsensus.Parse(tampered);
        var v = Verify(c, Certs("network-2026-06-27-md", "cached-certs"), Authorities2026);
        Assert.False(v.IsAccepted);
        Assert.Equal(9, v.Failures.Count(f => f.Reason == SignatureFailureReason.BadSignature));
    }

    [Fact]
    public void DroppedSignaturesFallBelowQuorum()
    {
        var doc = Bytes("private-network", "cached-microdesc-consensus");
        var certs = Certs("private-network", "cached-certs");
        var auths = PrivateAuthorities();

        var oneDropped = DropSignature(doc, "directory-signature sha256 5A6FFA6E431CE49FEF9DFC5AC3E25DB15E6AEC67");
        var v1 = Verify(MicrodescConsensus.Parse(oneDropped), certs, auths);
        Assert.True(v1.IsAccepted, v1.ToString()); // 2 of 3 is more than half
        Assert.Equal(["auth1"], v1.NotSigned.Select(a => a.Name));

        var twoDropped = DropSignature(oneDropped, "directory-signature sha256 61F074E9F9D611D41E24850D5E5E6A0CCAD97B28");
        var v2 = Verify(MicrodescConsensus.Parse(twoDropped), certs, auths);
        Assert.False(v2.IsAccepted);
        Assert.Equal(["auth2"], v2.ValidSigners.Select(a => a.Name));
        Assert.Equal(2, v2.NotSigned.Count);
        Assert.Empty(v2.Failures);
    }

    [Fact]
    public void FourOfNineIsNotEnough()
    {
        var doc = Bytes("network-2026-06-27-md", "cached-microdesc-consensus");
        foreach (var id in Authorities2026.Take(5).Select(a => a.V3Ident))
            doc = DropSignature(doc, "directory-signature sha256 " + id);
        var v = Verify(MicrodescConsensus.Parse(doc), Certs("network-2026-06-27-md", "cached-certs"), Authorities2026);
        Assert.Equal(4, v.ValidSigners.Count);
        Assert.False(v.IsAccepted);
    }

    [Fact]
    public void ExpiredCertificatesAreReportedAtALaterTime()
    {
        var c = Consensus("network-2026-06-27-md", "cached-microdesc-consensus");
        var certs = Certs("network-2026-06-27-md", "cached-certs");
        // longclaw's certificate expires 2026-08-17, maatuska's 2026-09-16.
        var v = Verify(c, certs, Authorities2026, Utc("2026-09-20 00:00:00"));
        Assert.Equal(7, v.ValidSigners.Count);
        Assert.True(v.IsAccepted);
        Assert.Equal(["longclaw", "maatuska"], v.Failures.Select(f => f.AuthorityName).Order());
        Assert.All(v.Failures, f => Assert.Equal(SignatureFailureReason.CertificateExpired, f.Reason));
        Assert.Contains("expired at 2026-08-17 20:34:03", v.Failures.Single(f => f.AuthorityName == "longclaw").Message);

        var muchLater = Verify(c, certs, Authorities2026, Utc("2027-12-01 00:00:00"));
        Assert.False(muchLater.IsAccepted);
        Assert.Equal(9, muchLater.Failures.Count(f => f.Reason == SignatureFailureReason.CertificateExpired));
    }

    [Fact]
    public void CertificateNotYetPublishedIsReported()
    {
        var c = Consensus("network-2026-06-27-md", "cached-microdesc-consensus");
        var v = Verify(c, Certs("network-2026-06-27-md", "cached-certs"), Authorities2026, Utc("2026-06-10 00:00:00"));
        // tor26 (2026-06-01) is current; maatuska's certificate is published 2026-06-16.
        Assert.Equal(SignatureFailureReason.CertificateNotYetValid, v.Failures.Single(f => f.AuthorityName == "maatuska").Reason);
    }

    [Fact]
    public void ForeignCertificatesFromAnotherYearDoNotCount()
    {
        var c = Consensus("network-2026-06-27-md", "cached-microdesc-consensus");
        var v = Verify(c, Certs("network-2022-11-19-ns-md", "cached-certs"), Authorities2026);
        Assert.False(v.IsAccepted);
        Assert.Empty(v.ValidSigners);
        var reasons = v.Failures.ToDictionary(f => f.AuthorityName!, f => f.Reason);
        // Same identity, other signing key (2022's keys): no certificate for the named key.
        Assert.Equal(SignatureFailureReason.SigningKeyMismatch, reasons["gabelmoo"]);
        Assert.Equal(SignatureFailureReason.SigningKeyMismatch, reasons["dannenberg"]);
        // tor26, moria1 and faravahar changed identity since 2022: nothing for them at all.
        Assert.Equal(SignatureFailureReason.NoCertificate, reasons["tor26"]);
        Assert.Equal(SignatureFailureReason.NoCertificate, reasons["moria1"]);
        Assert.Equal(SignatureFailureReason.NoCertificate, reasons["faravahar"]);
        Assert.Contains("certificates cover", v.Failures.First(f => f.Reason == SignatureFailureReason.SigningKeyMismatch).Message);
    }

    [Fact]
    public void ForeignCertificateSwappedInForOneAuthority()
    {
        var c = Consensus("network-2026-06-27-md", "cached-microdesc-consensus");
        var certs = Certs("network-2026-06-27-md", "cached-certs").Where(x => x.Fingerprint.ToHex() != "ED03BB616EB2F60BEC80151114BB25CEF515B226")
            .Concat(Certs("network-2022-11-19-ns-md", "cached-certs").Where(x => x.Fingerprint.ToHex() == "ED03BB616EB2F60BEC80151114BB25CEF515B226"));
        var v = Verify(c, certs, Authorities2026);
        Assert.True(v.IsAccepted);
        Assert.Equal(8, v.ValidSigners.Count);
        Assert.Equal(SignatureFailureReason.SigningKeyMismatch, v.Failures.Single().Reason);
        Assert.Equal("gabelmoo", v.Failures.Single().AuthorityName);
    }

    [Fact]
    public void SigningKeyDigestPointingAtAnotherCertificateGivesABadSignature()
    {
        // auth0's signature relabelled with auth1's signing-key digest and identity: a
        // certificate is found, but it is not the key that made the signature.
        var doc = Replace(Bytes("private-network", "cached-microdesc-consensus"),
            "directory-signature sha256 61F074E9F9D611D41E24850D5E5E6A0CCAD97B28 45081EB36A1081624B3D62851D950DC6A5141173",
            "directory-signature sha256 5A6FFA6E431CE49FEF9DFC5AC3E25DB15E6AEC67 511363C074D021808AC90F3B4CC201B36F9ED175");
        var v = Verify(MicrodescConsensus.Parse(doc), Certs("private-network", "cached-certs"), PrivateAuthorities());
        Assert.Equal(SignatureFailureReason.BadSignature, v.Failures.Single().Reason);
        Assert.Equal(["auth1", "auth2"], v.ValidSigners.Select(a => a.Name)); // auth1 still counted once, from its own signature
        Assert.True(v.IsAccepted);
    }

    [Fact]
    public void SigningKeyDigestThatMatchesNoCertificate()
    {
        var doc = Replace(Bytes("private-network", "cached-microdesc-consensus"),
            "61F074E9F9D611D41E24850D5E5E6A0CCAD97B28 45081EB36A1081624B3D62851D950DC6A5141173",
            "61F074E9F9D611D41E24850D5E5E6A0CCAD97B28 45081EB36A1081624B3D62851D950DC6A5141174");
        var v = Verify(MicrodescConsensus.Parse(doc), Certs("private-network", "cached-certs"), PrivateAuthorities());
        var f = v.Failures.Single();
        Assert.Equal(SignatureFailureReason.SigningKeyMismatch, f.Reason);
        Assert.Equal("auth0", f.AuthorityName);
    }

    [Fact]
    public void InvalidCertificateIsReported()
    {
        var certsText = Text("private-network", "cached-certs");
        var tampered = certsText.Replace("dir-key-expires 2027-11-24 19:18:25", "dir-key-expires 2027-11-24 19:18:26");
        var certs = AuthorityCertificate.ParseAll(tampered);
        Assert.Equal(3, certs.Count(x => !x.IsValid)); // all three shared that line
        var v = Verify(Consensus("private-network", "cached-microdesc-consensus"), certs, PrivateAuthorities());
        Assert.False(v.IsAccepted);
        Assert.All(v.Failures, f => Assert.Equal(SignatureFailureReason.CertificateInvalid, f.Reason));
        Assert.Contains("BadCertification", v.Failures[0].Message);
    }

    [Fact]
    public void UnknownAuthoritiesAndUnsupportedAlgorithmsAreReported()
    {
        var auths = PrivateAuthorities().Where(a => a.Name != "auth2").ToList();
        var doc = Replace(Bytes("private-network", "cached-microdesc-consensus"), "directory-signature sha256 61F0", "directory-signature sha512 61F0");
        var v = Verify(MicrodescConsensus.Parse(doc), Certs("private-network", "cached-certs"), auths);
        Assert.Equal(SignatureFailureReason.UnknownAuthority, v.Failures.Single(f => f.Signature.Identity.ToHex().StartsWith("D79A")).Reason);
        Assert.Equal(SignatureFailureReason.DigestAlgorithmUnsupported, v.Failures.Single(f => f.AuthorityName == "auth0").Reason);
        Assert.Equal(["auth1"], v.ValidSigners.Select(a => a.Name));
        Assert.False(v.IsAccepted); // 1 of 2 configured is not more than half
    }

    [Fact]
    public void NoConfiguredAuthoritiesNeverAccepts()
    {
        var v = Verify(Consensus("private-network", "cached-microdesc-consensus"), Certs("private-network", "cached-certs"), []);
        Assert.False(v.IsAccepted);
        Assert.Equal(3, v.Failures.Count(f => f.Reason == SignatureFailureReason.UnknownAuthority));
    }

    [Fact]
    public void MalformedAuthorityConfigurationIsAnArgumentError()
    {
        Assert.Throws<ArgumentException>(() => Verify(Consensus("private-network", "cached-microdesc-consensus"),
            Certs("private-network", "cached-certs"), [new DirAuthority("x", "not-hex")]));
    }
}
