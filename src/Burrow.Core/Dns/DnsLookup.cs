using System.Net;

namespace Burrow.Core.Dns;

/// <summary>
/// The result of one upstream lookup: addresses and how long they may be cached, or a typed failure.
/// An empty address list with no failure means the name exists but has no address of that family.
/// </summary>
internal sealed class DnsLookup
{
    private DnsLookup(IReadOnlyList<IPAddress> addresses, TimeSpan ttl, DnsLookupFailure? failure)
    {
        Addresses = addresses;
        Ttl = ttl;
        Failure = failure;
    }

    public IReadOnlyList<IPAddress> Addresses { get; }

    public TimeSpan Ttl { get; }

    /// <summary>Null when the lookup succeeded.</summary>
    public DnsLookupFailure? Failure { get; }

    /// <summary>Optional words for logs and the Extended DNS Error text (never the name itself).</summary>
    public string? Detail { get; private init; }

    public bool Succeeded => Failure is null;

    public static DnsLookup Found(IReadOnlyList<IPAddress> addresses, TimeSpan ttl)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentOutOfRangeException.ThrowIfLessThan(ttl, TimeSpan.Zero);
        return new DnsLookup([.. addresses], ttl, null);
    }

    public static DnsLookup Failed(DnsLookupFailure failure, string? detail = null) =>
        new([], TimeSpan.Zero, failure) { Detail = detail };
}
