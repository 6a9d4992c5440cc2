using System.Net;

namespace Burrow.Core.Dns;

/// <summary>
/// One query the DNS listener handled, as reported by <see cref="DnsListener.QueryHandled"/>.
/// <see cref="Name"/> is user activity: keep it out of anything logged above Debug.
/// </summary>
/// <param name="Name">The normalised name, or null when none could be read.</param>
/// <param name="QueryType">The question's type as text ("A", "AAAA", "PTR", "MX", "65", ...), or null.</param>
/// <param name="Addresses">The addresses answered (A/AAAA), empty otherwise.</param>
/// <param name="Hostname">The host name answered to a PTR, else null.</param>
/// <param name="Detail">Why it was refused or failed, in words (also the Extended DNS Error text), else null.</param>
internal sealed record DnsQueryRecord(
    DateTimeOffset At,
    IPEndPoint Client,
    DnsTransport Transport,
    string? Name,
    string? QueryType,
    DnsQueryOutcome Outcome,
    IReadOnlyList<IPAddress> Addresses,
    string? Hostname,
    string? Detail);
