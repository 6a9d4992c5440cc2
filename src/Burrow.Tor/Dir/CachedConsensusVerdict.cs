using Burrow.Tor.NetDir;

namespace Burrow.Tor.Dir;

/// <summary>What <see cref="DirectoryState.LoadCachedConsensus"/> decided about a cached consensus: installed
/// (with how many cached microdescriptors it kept and dropped), expired (fetch a new one), or refused (delete
/// the file: <see cref="Reason"/> says why).</summary>
internal sealed record CachedConsensusVerdict(NetworkDirectory? Directory, DateTime? ExpiredAt, string? Reason, int KeptMicrodescriptors, int DroppedMicrodescriptors)
{
    public static CachedConsensusVerdict Installed(NetworkDirectory directory, int kept, int dropped) => new(directory, null, null, kept, dropped);

    public static CachedConsensusVerdict Expired(DateTime validUntil) => new(null, validUntil, null, 0, 0);

    public static CachedConsensusVerdict Refused(string reason) => new(null, null, reason, 0, 0);
}
