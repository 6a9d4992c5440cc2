using Burrow.Tor.NetDoc;

namespace Burrow.Core.Configuration;

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

    /// <summary>[arti.onion] client_auth_dir: C tor's ClientOnionAuthDir format; null for none.</summary>
    public string? OnionClientAuthDir { get; init; }

    /// <summary>[arti.onion] testing_time_periods: the network is a C tor TestingTorNetwork (its onion
    /// services use time periods of 24 voting intervals). Default false.</summary>
    public bool OnionTestingTimePeriods { get; init; }
}
