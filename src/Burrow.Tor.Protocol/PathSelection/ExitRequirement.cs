using Burrow.Tor.Identities;

namespace Burrow.Tor.PathSelection;

/// <summary>
/// What the last hop of an exit circuit must allow (path-spec 2.2, 2.2.1): a port (or, for
/// resolves, any port at all), IPv6 when the target is an IPv6 literal, Stable relays for
/// long-lived connections, and exits to avoid because they already refused this request.
/// </summary>
internal sealed record ExitRequirement
{
    /// <summary>The target port; null when any exit that allows some port will do (DNS resolves).</summary>
    public int? Port { get; init; }

    /// <summary>The target is an IPv6 address: the "p6" summary decides.</summary>
    public bool IPv6 { get; init; }

    /// <summary>Every hop must be Stable.</summary>
    public bool Stable { get; init; }

    /// <summary>The circuit will ask its exit for congestion control (the consensus enables it): exits that
    /// support it are preferred (<see cref="CircuitProtocols.SupportsCongestionControl"/>).</summary>
    public bool CongestionControl { get; init; }

    /// <summary>Exits not to choose (fingerprints that refused this request).</summary>
    public IReadOnlySet<RsaIdentity> ExcludedExits { get; init; } = new HashSet<RsaIdentity>();

    public static ExitRequirement ForPort(int port, bool ipv6 = false, PathRules? rules = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        return new ExitRequirement { Port = port, IPv6 = ipv6, Stable = (rules ?? PathRules.Default).LongLivedPorts.Contains(port) };
    }

    /// <summary>An exit for DNS resolves: one whose policy is not "reject *:*".</summary>
    public static ExitRequirement ForResolve() => new();

    public override string ToString() =>
        (Port is { } p ? $"port {p}" : "any port") + (IPv6 ? " (IPv6)" : "") + (Stable ? ", stable" : "");
}
