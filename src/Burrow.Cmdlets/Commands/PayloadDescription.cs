using Burrow.Core.Configuration;

namespace Burrow.Cmdlets.Commands;

/// <summary>The Tor network a payload joins, in words: -WhatIf's target and the Verbose record at start.
/// An empty payload means the public Tor network; that is right, but it is said, not implied.</summary>
internal static class PayloadDescription
{
    public static string TorNetwork(BurrowOptions options) => options.Upstream.Kind switch
    {
        UpstreamKind.Socks5 => $"the Tor network behind the SocksPort {options.Upstream.Socks5Address}",
        _ when options.Arti.Authorities.Count == 0 => "the public Tor network",
        _ => $"a private Tor network ({options.Arti.Authorities.Count} {(options.Arti.Authorities.Count == 1 ? "authority" : "authorities")}: " +
             string.Join(", ", options.Arti.Authorities.Select(a => a.Name)) + ")",
    };

    public static string Upstream(BurrowOptions options) => options.Upstream.Kind switch
    {
        UpstreamKind.Socks5 => $"socks5 {options.Upstream.Socks5Address}",
        _ => "in-process Tor client",
    };
}
