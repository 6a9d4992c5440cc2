namespace Burrow.Core.Dns;

/// <summary>A snapshot of a DNS listener's counters since it started.</summary>
/// <param name="Queries">Every message received, including the ones dropped.</param>
/// <param name="Answered">NOERROR answers (upstream, automapped, reverse, probe).</param>
/// <param name="Automapped">Of those, answered with a virtual address.</param>
/// <param name="NotFound">NXDOMAIN answers.</param>
/// <param name="Refused">REFUSED and NOTIMP answers (never forwarded).</param>
/// <param name="PrivateAnswersRefused">Of those, upstream answers withheld because they were internal addresses.</param>
/// <param name="Failed">SERVFAIL answers (upstream failure, timeout, overload).</param>
/// <param name="Malformed">FORMERR answers and dropped messages.</param>
internal sealed record DnsCounters(
    long Queries,
    long Answered,
    long Automapped,
    long NotFound,
    long Refused,
    long PrivateAnswersRefused,
    long Failed,
    long Malformed);
