namespace Burrow.Core.Dns;

/// <summary>Why an upstream lookup gave no addresses; the listener maps each to a DNS rcode.</summary>
internal enum DnsLookupFailure
{
    /// <summary>The name does not exist (NXDOMAIN).</summary>
    NotFound,

    /// <summary>The upstream refused to resolve it (for example an exit's policy).</summary>
    Refused,

    /// <summary>No answer in time.</summary>
    Timeout,

    /// <summary>No way to ask: Tor not bootstrapped, no exit circuit, the SOCKS daemon unreachable.</summary>
    UpstreamDown,
}
