// The consensus lifetime rules of dir-spec 1.4 ("VU + 24 hours: clients will no longer use the consensus
// at all") and 5.1 ("reasonably live"), as the pool and the status surface use them.
using Burrow.Tor.NetDir;

namespace Burrow.Tor.Dir;

internal static class ConsensusTimeline
{
    public static ConsensusLiveness LivenessOf(NetworkDirectory? directory, DateTime now)
    {
        if (directory is null)
            return ConsensusLiveness.None;
        if (now < directory.ValidAfter)
            return ConsensusLiveness.NotYetValid;
        if (now <= directory.ValidUntil)
            return ConsensusLiveness.Live;
        return directory.IsReasonablyLive(now) ? ConsensusLiveness.ReasonablyLive : ConsensusLiveness.TooOld;
    }

    /// <summary>Why new circuits cannot be built from <paramref name="directory"/>, or null when they can.</summary>
    public static string? ProblemOf(NetworkDirectory? directory, DateTime now) =>
        LivenessOf(directory, now) == ConsensusLiveness.TooOld
            ? $"The consensus expired at {directory!.ValidUntil:u}, more than {NetworkDirectory.ReasonablyLiveAfterExpiry.TotalHours:0} hours ago " +
              $"(it is {now:u} here), and no newer one could be fetched: no new circuits are built until one arrives " +
              "(dir-spec 5.1, \"reasonably live\"). Check this computer's clock and its access to the directory servers."
            : null;

    /// <summary>A short description for logs and status: "live", "expired 3.2 h ago (reasonably live)", ...</summary>
    public static string Describe(NetworkDirectory? directory, DateTime now) => LivenessOf(directory, now) switch
    {
        ConsensusLiveness.None => "no consensus",
        ConsensusLiveness.Live => "live",
        ConsensusLiveness.NotYetValid => $"valid only from {directory!.ValidAfter:u}",
        ConsensusLiveness.ReasonablyLive => $"expired {(now - directory!.ValidUntil).TotalHours:0.0} h ago (reasonably live: used until a newer one arrives)",
        _ => $"expired {(now - directory!.ValidUntil).TotalHours:0.0} h ago (too old: no new circuits)",
    };
}
