// Consensus signature checking (dir-spec 3.4.1 "directory-signature", 1.3; certificates 3.1).

using Burrow.Tor.Identities;

namespace Burrow.Tor.NetDoc;

/// <summary>
/// Decides whether a consensus is signed by more than half of the configured authorities.
/// A signature counts only when its identity is a configured authority, a certificate for that
/// identity and the named signing key is at hand, the certificate verifies and is current at
/// the given time, and the RSA signature verifies over the digest of the signed part.
/// </summary>
internal static class ConsensusVerifier
{
    public static ConsensusVerification Verify(MicrodescConsensus consensus, IEnumerable<AuthorityCertificate> certificates,
        IReadOnlyList<DirAuthority> authorities, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(consensus);
        ArgumentNullException.ThrowIfNull(certificates);
        ArgumentNullException.ThrowIfNull(authorities);

        var byIdentity = new Dictionary<RsaIdentity, DirAuthority>();
        foreach (var a in authorities)
        {
            if (!RsaIdentity.TryFromHex(a.V3Ident, out var id))
                throw new ArgumentException($"authority '{a.Name}': v3ident must be 40 hexadecimal digits, got '{a.V3Ident}'", nameof(authorities));
            byIdentity.TryAdd(id, a);
        }
        var configured = byIdentity.Values.ToArray();

        var certsByIdentity = new Dictionary<RsaIdentity, List<AuthorityCertificate>>();
        foreach (var c in certificates)
        {
            if (!certsByIdentity.TryGetValue(c.Fingerprint, out var list))
                certsByIdentity[c.Fingerprint] = list = [];
            list.Add(c);
        }

        var valid = new List<DirAuthority>();
        var failures = new List<SignatureFailure>();
        foreach (var sig in consensus.Signatures)
        {
            if (!byIdentity.TryGetValue(sig.Identity, out var authority))
            {
                failures.Add(new SignatureFailure(sig, null, SignatureFailureReason.UnknownAuthority,
                    $"signature by {sig.Identity.ToHex()} (line {sig.LineNumber}): not a configured authority"));
                continue;
            }
            var failure = Check(sig, authority, certsByIdentity, now);
            if (failure == null)
            {
                if (!valid.Contains(authority))
                    valid.Add(authority);
            }
            else
                failures.Add(failure);
        }
        // Failures of an authority that also signed validly (e.g. an extra signature with an
        // unknown algorithm) do not matter for acceptance, but stay listed for diagnosis.
        var notSigned = byIdentity.Where(kv => !consensus.Signatures.Any(s => s.Identity == kv.Key)).Select(kv => kv.Value).ToArray();
        return new ConsensusVerification(consensus, now, configured, valid, failures, notSigned);
    }

    private static SignatureFailure? Check(DirectorySignature sig, DirAuthority authority,
        Dictionary<RsaIdentity, List<AuthorityCertificate>> certsByIdentity, DateTime now)
    {
        var who = $"signature by {authority.Name} ({sig.Identity.ToHex()}, line {sig.LineNumber})";
        if (sig.SignedDigest == null)
            return Fail(SignatureFailureReason.DigestAlgorithmUnsupported, $"{who}: digest algorithm '{sig.Algorithm}' is not supported (sha1, sha256)");
        if (!certsByIdentity.TryGetValue(sig.Identity, out var certs))
            return Fail(SignatureFailureReason.NoCertificate, $"{who}: no certificate for this authority");

        var matching = certs.Where(c => c.SigningKeyDigest == sig.SigningKeyDigest).ToList();
        if (matching.Count == 0)
        {
            var have = string.Join(", ", certs.Select(c => c.SigningKeyDigest.ToHex()).Distinct());
            return Fail(SignatureFailureReason.SigningKeyMismatch,
                $"{who}: no certificate for signing key {sig.SigningKeyDigest.ToHex()} (certificates cover {have})");
        }

        // Prefer a certificate that passes everything; otherwise report the most telling problem.
        AuthorityCertificate? usable = null;
        foreach (var c in matching)
        {
            if (c.IsValid && !c.IsExpiredAt(now) && !c.IsNotYetValidAt(now))
            {
                usable = c;
                break;
            }
        }
        if (usable == null)
        {
            var c = matching.FirstOrDefault(m => m.IsValid) ?? matching[0];
            if (!c.IsValid)
                return Fail(SignatureFailureReason.CertificateInvalid, $"{who}: its certificate is invalid ({c.Validity})");
            if (c.IsExpiredAt(now))
                return Fail(SignatureFailureReason.CertificateExpired, $"{who}: its certificate expired at {c.Expires:yyyy-MM-dd HH:mm:ss} UTC");
            return Fail(SignatureFailureReason.CertificateNotYetValid, $"{who}: its certificate is published only at {c.Published:yyyy-MM-dd HH:mm:ss} UTC");
        }

        if (!usable.SigningKey.VerifyRawDigest(sig.SignedDigest, sig.Signature))
            return Fail(SignatureFailureReason.BadSignature, $"{who}: the {sig.Algorithm} signature does not verify");
        return null;

        SignatureFailure Fail(SignatureFailureReason reason, string message) => new(sig, authority.Name, reason, message);
    }
}
