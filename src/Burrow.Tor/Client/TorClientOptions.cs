using System.Net;
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.Client;

/// <summary>
/// What the in-process Tor client needs to know before it can bootstrap: which network
/// (authorities and the caches to fetch from), where to keep state, and path rules.
/// Names follow Arti's configuration where Arti has them.
/// </summary>
public sealed class TorClientOptions
{
    /// <summary>Persistent state (guards). Arti: <c>storage.state_dir</c>.</summary>
    public required string StateDir { get; init; }

    /// <summary>Directory cache (consensus, certificates, microdescriptors). Arti: <c>storage.cache_dir</c>.</summary>
    public required string CacheDir { get; init; }

    /// <summary>The directory authorities whose signatures make a consensus valid.
    /// Empty means the public Tor network's built-in authorities.</summary>
    public IReadOnlyList<DirAuthority> Authorities { get; init; } = [];

    /// <summary>Directory caches to bootstrap from (their ORPorts, reached over BEGIN_DIR).
    /// Empty means the built-in list for the public network.</summary>
    public IReadOnlyList<FallbackDir> FallbackCaches { get; init; } = [];

    /// <summary>Relays in the same IPv4 subnet of this prefix length count as one family;
    /// a value above 32 disables the rule (private networks on loopback). Arti: path_rules.ipv4_subnet_family_prefix.</summary>
    public int Ipv4SubnetFamilyPrefix { get; init; } = 16;

    /// <summary>As <see cref="Ipv4SubnetFamilyPrefix"/> for IPv6; above 128 disables. Arti: path_rules.ipv6_subnet_family_prefix.</summary>
    public int Ipv6SubnetFamilyPrefix { get; init; } = 32;

    /// <summary>How long building one circuit may take before it is abandoned (C tor's initial
    /// CircuitBuildTimeout, path-spec 2.4.5 "cbtinitialtimeout": 60 s).</summary>
    public TimeSpan CircuitBuildTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long an exit may take to answer BEGIN or RESOLVE before the attempt moves to another circuit.</summary>
    public TimeSpan StreamOpenTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Client authorization keys for restricted onion services, in C tor's ClientOnionAuthDir format
    /// (files "*.auth_private" holding "&lt;address&gt;:descriptor:x25519:&lt;base32 key&gt;"); null for none.</summary>
    public string? OnionClientAuthDir { get; init; }

    /// <summary>The network is a C tor test network ("TestingTorNetwork 1", as tests/TestNet runs): its onion
    /// services use time periods of one shared-random run instead of "hsdir-interval", and so must this client.</summary>
    public bool TestingTorNetwork { get; init; }

    /// <summary>How long one .onion connection may take in all (descriptor, rendezvous, introduction, stream).</summary>
    public TimeSpan OnionConnectTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>A circuit takes new streams for this long after its first one (C tor: MaxCircuitDirtiness, 10 minutes).</summary>
    public TimeSpan MaxCircuitDirtiness { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Exits tried for one connection when exits refuse it (exit policy, resolve failure, timeout).</summary>
    public int MaxStreamAttempts { get; init; } = 3;

    /// <summary>Circuits built before giving up on one request (each failure may pick other relays).</summary>
    public int MaxCircuitBuildAttempts { get; init; } = 4;

    /// <summary>Ports to keep clean exit circuits ready for, besides ports used in the last hour (path-spec 2.1.1).</summary>
    public IReadOnlyList<int> PreemptivePorts { get; init; } = [80, 443];

    /// <summary>Clean (unused) circuits kept ready per predicted port; C tor keeps 2.</summary>
    public int PreemptiveCircuitsPerPort { get; init; } = 2;

    /// <summary>No more clean circuits than this are built ahead of time (path-spec 2.1.1: 12).</summary>
    public int MaxCleanCircuits { get; init; } = 12;

    /// <summary>Open exit circuits at most (clean and in use); requests wait for a slot beyond that.</summary>
    public int MaxCircuits { get; init; } = 64;

    /// <summary>How long one directory request (stream, request, whole response) may take.</summary>
    public TimeSpan DirectoryRequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>SO_MARK set on every socket the client opens (channels to relays, and so every directory
    /// fetch too) before it connects, so a firewall redirect can exempt the client's own traffic. Linux
    /// only, needs CAP_NET_ADMIN; null (the default) leaves sockets unmarked. A mark that cannot be set
    /// fails the connection rather than sending an unmarked socket into the redirect.</summary>
    public uint? SocketMark { get; init; }

    /// <summary>Connection-level padding on channels to relays (padding-spec 2): Normal pads idle channels as the
    /// consensus says; Reduced asks relays not to pad and pads less itself; Disabled sends none.</summary>
    public Channels.ConnectionPadding ConnectionPadding { get; init; } = Channels.ConnectionPadding.Normal;
}
