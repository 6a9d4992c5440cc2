namespace Burrow.Core.Dns;

/// <summary>
/// Where the DNS listener sends the A and AAAA lookups it does not answer itself: through Tor
/// (a RESOLVE on an exit circuit chosen by <paramref name="isolationKey"/>, or SOCKS5 RESOLVE).
/// Implementations return failures as <see cref="DnsLookup.Failed"/> rather than throwing; an
/// exception is treated as <see cref="DnsLookupFailure.UpstreamDown"/>.
/// </summary>
internal interface IDnsResolver
{
    /// <param name="name">Normalised: lower-case ASCII letters, no trailing dot, 1..253 characters.</param>
    /// <param name="kind">A or AAAA.</param>
    /// <param name="isolationKey">Lookups with different keys must not share a circuit.</param>
    ValueTask<DnsLookup> ResolveAsync(string name, DnsQueryKind kind, string isolationKey, CancellationToken cancellationToken);
}
