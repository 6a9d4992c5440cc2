// Directory URLs (dir-spec 3.11 "consensus-F/<FP1>+...", appendix B "/tor/keys/fp/",
// 4.3 "/tor/micro/d/<D1>-<D2>-...").
using Burrow.Tor.Identities;
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.Dir;

internal static class DirUrls
{
    /// <summary>Microdescriptors per request: dir-spec 4.3 allows at most 92 (proxy URL limits).</summary>
    public const int MaxMicrodescriptorsPerRequest = 92;

    /// <summary>Authority fingerprints per consensus or key request (appendix B: at most 96).</summary>
    public const int MaxFingerprintsPerRequest = 96;

    /// <summary>
    /// The microdesc consensus, asking for one signed by more than half of these authorities
    /// (sorted 3-byte prefixes, as dir-spec appendix B suggests); servers answer 404 otherwise.
    /// </summary>
    public static string Consensus(IEnumerable<RsaIdentity> authorities)
    {
        var prefixes = authorities.Select(a => a.ToHex()[..6]).Distinct().Order(StringComparer.Ordinal).Take(MaxFingerprintsPerRequest).ToList();
        return prefixes.Count == 0
            ? "/tor/status-vote/current/consensus-microdesc"
            : "/tor/status-vote/current/consensus-microdesc/" + string.Join('+', prefixes);
    }

    /// <summary>The current key certificates of the given authority identities.</summary>
    public static string Certificates(IEnumerable<RsaIdentity> authorities)
    {
        var ids = authorities.Select(a => a.ToHex()).Distinct().Order(StringComparer.Ordinal).ToList();
        if (ids.Count is 0 or > MaxFingerprintsPerRequest)
            throw new ArgumentException($"a key request names 1 to {MaxFingerprintsPerRequest} authorities, not {ids.Count}", nameof(authorities));
        return "/tor/keys/fp/" + string.Join('+', ids);
    }

    /// <summary>One request's worth of microdescriptors by digest (unpadded base64, '-'-separated).</summary>
    public static string Microdescriptors(IReadOnlyCollection<Digest256> digests)
    {
        if (digests.Count is 0 or > MaxMicrodescriptorsPerRequest)
            throw new ArgumentException($"a microdescriptor request names 1 to {MaxMicrodescriptorsPerRequest} digests, not {digests.Count}", nameof(digests));
        return "/tor/micro/d/" + string.Join('-', digests.Select(d => d.ToBase64Unpadded()));
    }
}
