namespace Burrow.Core.Recovery.MacOS;

/// <summary>What <see cref="PflogPacket.TryParseSyn"/> made of one pflog record.</summary>
internal enum PflogParseResult
{
    /// <summary>An outbound TCP SYN logged by a pass rule: its pre-NAT destination is usable.</summary>
    Syn,
    /// <summary>The record ends before the fields needed (pfloghdr, IP header or TCP ports/flags).</summary>
    Truncated,
    /// <summary>A header field is impossible (pfloghdr length, IPv4 header length).</summary>
    Malformed,
    /// <summary>pfloghdr.af is neither AF_INET (2) nor AF_INET6 (30).</summary>
    UnsupportedFamily,
    /// <summary>The IP version does not match pfloghdr.af.</summary>
    FamilyMismatch,
    /// <summary>Logged on the way in; only the outbound pass rule sees the original destination.</summary>
    NotOutbound,
    /// <summary>Logged by a rule whose action is not PF_PASS.</summary>
    NotPass,
    /// <summary>Not TCP (or an IPv6 extension header chain this parser does not follow).</summary>
    NotTcp,
    /// <summary>A non-first fragment: it carries no TCP header.</summary>
    NotFirstFragment,
    /// <summary>TCP, but not a connection-opening SYN (SYN-ACK, RST, data ...).</summary>
    NotSyn,
}
