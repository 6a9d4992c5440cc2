using System.Net;
using Burrow.Tor.Client;

namespace Burrow.Core.Configuration;

/// <summary>
/// A validated payload: everything Start-BurrowTorNetwork needs to start one network.
/// Built only by <see cref="PayloadParser"/>; defaults are the design's (ARCHITECTURE.md, "Payload").
/// </summary>
public sealed class TorNetworkOptions
{
    public const string DefaultListen = "127.0.0.1:9040";

    /// <summary>Addresses of the network's interface (TUN stacks). Default 100.64.0.2/32.</summary>
    public IReadOnlyList<IPNetwork> Address { get; init; } = [IPNetwork.Parse("100.64.0.2/32")];

    /// <summary>Name of the TUN interface (TUN stacks). Default burrow-tor.</summary>
    public string TunName { get; init; } = "burrow-tor";

    /// <summary>MTU of the TUN interface. Default 1400.</summary>
    public int Mtu { get; init; } = 1400;

    public ArtiSection Arti { get; init; } = new();

    public TcpStackSection TcpStack { get; init; } = new();

    public UpstreamSection Upstream { get; init; } = new();

    public RecoverySection Recovery { get; init; } = new();
}

/// <summary>[arti]: the in-process Tor client. Names follow Arti's configuration.</summary>
public sealed class ArtiSection
{
    public string StateDir { get; init; } = "/var/lib/burrow/arti/state";
    public string CacheDir { get; init; } = "/var/cache/burrow/arti";

    /// <summary>[arti.tor_network] authorities (and C tor DirAuthority lines turned into them). Empty: the public network.</summary>
    public IReadOnlyList<DirAuthority> Authorities { get; init; } = [];

    /// <summary>[arti.tor_network] fallback_caches (and the ORPorts of DirAuthority lines).</summary>
    public IReadOnlyList<FallbackDir> FallbackCaches { get; init; } = [];

    /// <summary>[arti.path_rules] ipv4_subnet_family_prefix, default 16.</summary>
    public int Ipv4SubnetFamilyPrefix { get; init; } = 16;

    /// <summary>[arti.path_rules] ipv6_subnet_family_prefix, default 32.</summary>
    public int Ipv6SubnetFamilyPrefix { get; init; } = 32;
}

public enum TcpStackKind
{
    /// <summary>The kernel's TCP stack with a transparent listener (the only kind today).</summary>
    System,
}

/// <summary>[tcp_stack]</summary>
public sealed class TcpStackSection
{
    public TcpStackKind Kind { get; init; } = TcpStackKind.System;
    public IPEndPoint Listen { get; init; } = IPEndPoint.Parse(TorNetworkOptions.DefaultListen);
}

public enum UpstreamKind
{
    /// <summary>The in-process Tor client (Burrow.Tor). The default.</summary>
    InProcess,
    /// <summary>An existing Tor or Arti SocksPort. Explicit only, never a fallback.</summary>
    Socks5,
}

/// <summary>[upstream]: where redirected flows are sent. kind = "in_process" (default) or "socks5" with address.</summary>
public sealed class UpstreamSection
{
    public UpstreamKind Kind { get; init; } = UpstreamKind.InProcess;

    /// <summary>The SocksPort for <see cref="UpstreamKind.Socks5"/>; loopback or any reachable address.</summary>
    public IPEndPoint? Socks5Address { get; init; }
}

/// <summary>[recovery]: how original destinations are recovered. Mechanism is chosen from the OS.</summary>
public sealed class RecoverySection
{
    /// <summary>macOS only: fall back to the pflog0 observer when DIOCNATLOOK finds no state.
    /// Requires an explicit (non-wildcard) tcp_stack.listen address.</summary>
    public bool PflogFallback { get; init; }
}
