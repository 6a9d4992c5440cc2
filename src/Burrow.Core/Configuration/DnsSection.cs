using System.Net;
using Burrow.Core.Dns;

namespace Burrow.Core.Configuration;

/// <summary>[dns]: the DNS listener (UDP and TCP) that captured port-53 queries reach, and its virtual addresses.</summary>
public sealed class DnsSection
{
    public const string DefaultListen = "127.0.0.1:9053";

    /// <summary>Where the listener listens (UDP and TCP). Started when redirect.install or <see cref="Enable"/>.</summary>
    public IPEndPoint Listen { get; init; } = IPEndPoint.Parse(DefaultListen);

    /// <summary>Start the listener without installing rules (users point their resolver at it).</summary>
    public bool Enable { get; init; }

    /// <summary>Names under these suffixes get virtual addresses ("." = every name).</summary>
    public IReadOnlyList<string> AutomapSuffixes { get; init; } = [".onion"];

    public IPNetwork VirtualNetworkV4 { get; init; } = VirtualAddressMapOptions.DefaultNetworkV4;

    public IPNetwork VirtualNetworkV6 { get; init; } = VirtualAddressMapOptions.DefaultNetworkV6;
}
