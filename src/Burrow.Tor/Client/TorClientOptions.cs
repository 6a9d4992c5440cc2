using System.Net;

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
}

/// <summary>A v3 directory authority: its nickname and the SHA-1 fingerprint (40 hex) of its
/// authority identity key ("v3ident"). Arti: tor_network.authorities.</summary>
public sealed record DirAuthority(string Name, string V3Ident);

/// <summary>A directory cache reachable at one or more ORPorts. RSA identity is 40 hex digits;
/// the Ed25519 identity (base64, 43 chars) is checked during the channel handshake when given.
/// Arti: tor_network.fallback_caches.</summary>
public sealed record FallbackDir(string RsaIdentity, string? Ed25519Identity, IReadOnlyList<IPEndPoint> OrPorts);
