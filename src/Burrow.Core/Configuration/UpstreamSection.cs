using System.Net;

namespace Burrow.Core.Configuration;

/// <summary>[upstream]: where redirected flows are sent. kind = "in_process" (default) or "socks5" with address.</summary>
public sealed class UpstreamSection
{
    public UpstreamKind Kind { get; init; } = UpstreamKind.InProcess;

    /// <summary>The SocksPort for <see cref="UpstreamKind.Socks5"/>; loopback or any reachable address.</summary>
    public IPEndPoint? Socks5Address { get; init; }
}
