namespace Burrow.Tor.Dir;

/// <summary>How usable the consensus held is now (dir-spec 1.4 and 5.1 "reasonably live").</summary>
public enum ConsensusLiveness
{
    /// <summary>No consensus yet.</summary>
    None,
    /// <summary>Between valid-after and valid-until.</summary>
    Live,
    /// <summary>Valid-after is still ahead (accepted within the clock-skew allowance).</summary>
    NotYetValid,
    /// <summary>Past valid-until by less than 24 hours: still used while a newer one is fetched.</summary>
    ReasonablyLive,
    /// <summary>Past valid-until by more than 24 hours: no new circuits until a newer consensus arrives.</summary>
    TooOld,
}
