namespace Burrow.Core.Namespaces;

/// <summary>
/// What the namespace's fail-closed table counted (packets): what was redirected to Burrow and what was
/// dropped because nothing but TCP and DNS may leave (UDP, ICMP, TCP that escaped the redirect, the rest).
/// </summary>
public sealed record CommandNamespaceCounters(
    long RedirectedTcp,
    long RedirectedDns,
    long BlockedUdp,
    long BlockedIcmp,
    long BlockedTcp,
    long BlockedOther,
    long BlockedInvalid)
{
    public static readonly CommandNamespaceCounters None = new(0, 0, 0, 0, 0, 0, 0);

    /// <summary>Every packet the table dropped.</summary>
    public long Blocked => BlockedUdp + BlockedIcmp + BlockedTcp + BlockedOther + BlockedInvalid;
}
