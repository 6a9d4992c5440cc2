namespace Burrow.Core.Redirect;

/// <summary>
/// The named counters of a network's nft table (<c>counter name X</c> in its rules), read back by
/// <see cref="NftablesSession.ReadCounters"/> so Test-BurrowRedirect can show what was captured and dropped.
/// </summary>
internal static class NftCounterNames
{
    public const string RedirectedTcpV4 = "redirected_tcp_v4";
    public const string RedirectedTcpV6 = "redirected_tcp_v6";
    public const string RedirectedDns = "redirected_dns";

    /// <summary>Fail-closed drops, one per class of leak.</summary>
    public const string DroppedInvalid = "dropped_invalid";
    public const string DroppedIpv6 = "dropped_ipv6";
    public const string DroppedUdp = "dropped_udp";
    public const string DroppedIcmp = "dropped_icmp";
    public const string DroppedTcp = "dropped_tcp";
    public const string DroppedOther = "dropped_other";
}
