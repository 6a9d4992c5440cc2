using System.Net;

namespace Burrow.Core.Dns;

/// <summary>
/// Which names get virtual addresses and from where (C tor's AutomapHostsOnResolve,
/// AutomapHostsSuffixes, VirtualAddrNetworkIPv4/IPv6).
/// </summary>
internal sealed record VirtualAddressMapOptions
{
    /// <summary>10.192.0.0/10: four million addresses, inside 10/8 so never routable on the Internet.</summary>
    public static readonly IPNetwork DefaultNetworkV4 = IPNetwork.Parse("10.192.0.0/10");

    /// <summary>
    /// fd62:7572:726f:77::/64: a unique local (RFC 4193) prefix whose global ID and subnet spell
    /// "burrow" in ASCII; fixed so rules and tests can name it, unlikely to collide with a real ULA.
    /// </summary>
    public static readonly IPNetwork DefaultNetworkV6 = IPNetwork.Parse("fd62:7572:726f:77::/64");

    /// <summary>Suffixes whose names are automapped; "." means every name. Default: .onion only.</summary>
    public IReadOnlyList<string> Suffixes { get; init; } = [".onion"];

    public IPNetwork NetworkV4 { get; init; } = DefaultNetworkV4;

    public IPNetwork NetworkV6 { get; init; } = DefaultNetworkV6;

    /// <summary>Names kept at once; the least recently used is forgotten to make room.</summary>
    public int Capacity { get; init; } = 16_384;

    /// <summary>How long a mapping lives after it was last used (a lookup or a connection to it).</summary>
    public TimeSpan EntryLifetime { get; init; } = TimeSpan.FromMinutes(30);
}
