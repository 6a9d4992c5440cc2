namespace Burrow.Core.Dns;

/// <summary>The resolver of an upstream that cannot look names up: every lookup fails as upstream-down (SERVFAIL), never leaks.</summary>
internal sealed class UnavailableResolver(string why) : IDnsResolver
{
    public ValueTask<DnsLookup> ResolveAsync(string name, DnsQueryKind kind, string isolationKey, CancellationToken cancellationToken)
        => ValueTask.FromResult(DnsLookup.Failed(DnsLookupFailure.UpstreamDown, why));
}
