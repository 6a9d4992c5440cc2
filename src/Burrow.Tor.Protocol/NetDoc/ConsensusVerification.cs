namespace Burrow.Tor.NetDoc;

/// <summary>
/// The outcome of checking a consensus's signatures. Some bad or unknown signatures are
/// normal (an authority with a fresh key, one that is down); what matters is whether MORE than
/// half of the configured authorities signed validly (<see cref="IsAccepted"/>).
/// </summary>
internal sealed class ConsensusVerification
{
    internal ConsensusVerification(MicrodescConsensus consensus, DateTime checkedAt, IReadOnlyList<DirAuthority> authorities,
        IReadOnlyList<DirAuthority> validSigners, IReadOnlyList<SignatureFailure> failures, IReadOnlyList<DirAuthority> notSigned)
    {
        Consensus = consensus;
        CheckedAt = checkedAt;
        Authorities = authorities;
        ValidSigners = validSigners;
        Failures = failures;
        NotSigned = notSigned;
    }

    public MicrodescConsensus Consensus { get; }

    public DateTime CheckedAt { get; }

    /// <summary>The configured authorities the consensus was checked against.</summary>
    public IReadOnlyList<DirAuthority> Authorities { get; }

    /// <summary>Authorities with at least one valid signature (each counted once).</summary>
    public IReadOnlyList<DirAuthority> ValidSigners { get; }

    /// <summary>Every signature that did not count, with its reason.</summary>
    public IReadOnlyList<SignatureFailure> Failures { get; }

    /// <summary>Configured authorities that have no signature in the document at all.</summary>
    public IReadOnlyList<DirAuthority> NotSigned { get; }

    /// <summary>Valid signers needed: more than half of the configured authorities.</summary>
    public int Required => Authorities.Count / 2 + 1;

    public bool IsAccepted => Authorities.Count > 0 && ValidSigners.Count * 2 > Authorities.Count;

    public override string ToString()
    {
        var verdict = IsAccepted ? "accepted" : "rejected";
        var text = $"consensus {verdict}: {ValidSigners.Count} of {Authorities.Count} authorities signed validly (need {Required})";
        if (Failures.Count > 0)
            text += "; " + string.Join("; ", Failures.Select(f => f.Message));
        return text;
    }
}
