namespace Burrow.Core.Dns;

/// <summary>What the DNS listener did with one query (the rcode it answered with is in brackets).</summary>
internal enum DnsQueryOutcome
{
    /// <summary>Answered from the upstream lookup through Tor (NOERROR, possibly with no address of that family).</summary>
    Answered,

    /// <summary>Answered with a virtual address (NOERROR).</summary>
    Automapped,

    /// <summary>A PTR for a mapped virtual address, answered with its host name (NOERROR).</summary>
    Reverse,

    /// <summary>A registered probe name, answered locally (NOERROR) and reported to its probe.</summary>
    Probe,

    /// <summary>The name does not exist, or a virtual address with no mapping (NXDOMAIN).</summary>
    NotFound,

    /// <summary>Not looked up: an invalid name, a reverse lookup outside the virtual ranges, or the upstream refused (REFUSED).</summary>
    Refused,

    /// <summary>The upstream answered with internal addresses only; they were withheld (REFUSED).</summary>
    PrivateAnswerRefused,

    /// <summary>A type, class or opcode Burrow does not answer (NOTIMP); never forwarded.</summary>
    NotImplemented,

    /// <summary>The upstream timed out, was down or failed (SERVFAIL).</summary>
    Failed,

    /// <summary>Too many lookups in progress (SERVFAIL), so the query was not sent upstream.</summary>
    Overloaded,

    /// <summary>A message whose header could be read but not the rest, or with other than one question (FORMERR).</summary>
    Malformed,

    /// <summary>Not a query at all (too short, or a response): dropped without an answer.</summary>
    Dropped,
}
