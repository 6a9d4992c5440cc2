using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Burrow.Core.Redirect;

/// <summary>
/// The redirect rules one network installs and owns, as data: rendered to an nft table
/// (<see cref="NftRuleset"/>) on Linux and a pf anchor (<see cref="PfAnchorRules"/>) on macOS.
/// I/O-free; <see cref="Validate"/> says what is wrong before anything touches the kernel.
/// </summary>
internal sealed partial record RedirectPlan
{
    /// <summary>The network's name (as <c>Start-BurrowTorNetwork -Name</c> accepts it).</summary>
    public required string Network { get; init; }

    public RedirectScope Scope { get; init; } = RedirectScope.Host;

    /// <summary>Gateway scope: the client networks whose forwarded traffic is captured. Empty for host scope.</summary>
    public IReadOnlyList<IPNetwork> Sources { get; init; } = [];

    /// <summary>Destinations that never go to Tor (a LAN): they return before any redirect and pass the fail-closed filter.</summary>
    public IReadOnlyList<IPNetwork> Exclude { get; init; } = [];

    /// <summary>Redirect IPv6 TCP (and DNS) too. When false and <see cref="FailClosed"/>, IPv6 is dropped.</summary>
    public bool Ipv6 { get; init; }

    /// <summary>Drop every other outbound packet of the scope, with a named counter per class.</summary>
    public bool FailClosed { get; init; }

    /// <summary>The transparent listener's port for IPv4 TCP.</summary>
    public required int TcpPort { get; init; }

    /// <summary>The listener's port for IPv6 TCP; null means <see cref="TcpPort"/> (a dual-stack listener).</summary>
    public int? TcpPortV6 { get; init; }

    /// <summary>When set, UDP and TCP port 53 of the scope are redirected to this port (the DNS listener).</summary>
    public int? DnsPort { get; init; }

    /// <summary>The <c>SO_MARK</c> on Burrow's own relay sockets: packets carrying it return first (never redirected, never dropped).</summary>
    public required uint SocketMark { get; init; }

    /// <summary>Host scope: uids or user names whose traffic returns (a SOCKS upstream daemon, relays on this host).</summary>
    public IReadOnlyList<string> ExemptUsers { get; init; } = [];

    /// <summary>The IPv6 listener port in effect.</summary>
    public int EffectiveTcpPortV6 => TcpPortV6 ?? TcpPort;

    /// <summary>The nft table (family inet) this plan owns: <c>burrow_&lt;name&gt;</c>, see <see cref="NftTableName"/>.</summary>
    public string TableName => NftTableName.For(Network);

    /// <summary>Every problem with the plan, empty when it can be installed. Fields use payload spelling.</summary>
    public IReadOnlyList<RedirectPlanError> Validate()
    {
        var errors = new List<RedirectPlanError>();
        if (Network is null || !NetworkNamePattern().IsMatch(Network))
            errors.Add(new("name", $"'{Network}' is not a network name; accepted: 1-63 characters, letters, digits, '_', '.', '-', starting with a letter or digit"));
        if (!Enum.IsDefined(Scope))
            errors.Add(new("scope", $"'{Scope}' is not a scope; accepted: host, gateway"));
        if (SocketMark == 0)
            errors.Add(new("mark", "0 is not a socket mark (unmarked packets carry 0, so it would exempt everything); accepted: 1-4294967295"));
        CheckPort(errors, "listen", TcpPort);
        if (TcpPortV6 is { } v6)
            CheckPort(errors, "listen_v6", v6);
        if (DnsPort is { } dns)
        {
            CheckPort(errors, "dns_port", dns);
            if (dns == TcpPort || (Ipv6 && dns == EffectiveTcpPortV6))
                errors.Add(new("dns_port", $"{dns} is also the TCP listener's port; DNS over TCP needs its own listener: choose another port"));
        }

        var sources = Sources ?? [];
        var exclude = Exclude ?? [];
        if (Scope == RedirectScope.Gateway && sources.Count == 0)
            errors.Add(new("sources", "gateway scope needs the client networks whose traffic it captures (e.g. [\"10.0.3.0/24\"])"));
        if (Scope == RedirectScope.Host && sources.Count > 0)
            errors.Add(new("sources", "sources apply to gateway scope only; host scope captures this host's own outbound traffic"));
        CheckWithin(errors, "sources", sources);
        CheckWithin(errors, "exclude", exclude);
        foreach (var s in sources)
            foreach (var e in exclude)
                if (Overlap(s, e))
                    errors.Add(new("exclude", $"{e} overlaps source {s}; a network cannot be both captured and excluded"));
        foreach (var e in exclude)
            if (e.PrefixLength == 0)
                errors.Add(new("exclude", $"{e} excludes every {(e.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address, leaving nothing to redirect; list the networks that must not go to Tor"));
        if (Scope == RedirectScope.Gateway && Ipv6 && !sources.Any(s => s.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6))
            errors.Add(new("ipv6", "gateway scope with ipv6 needs at least one IPv6 network in sources (its clients' IPv6 addresses)"));

        var users = ExemptUsers ?? [];
        if (Scope == RedirectScope.Gateway && users.Count > 0)
            errors.Add(new("exempt_users", "exempt users apply to host scope only; gateway scope never touches this host's own traffic"));
        foreach (var u in users)
            if (!IsUser(u))
                errors.Add(new("exempt_users", $"'{u}' is not a user; accepted: a uid (0-4294967294) or a user name (lowercase letters, digits, '_', '-', starting with a letter or '_', up to 32 characters)"));
        return errors;
    }

    /// <summary>Throws <see cref="RedirectPlanException"/> naming every problem.</summary>
    public void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0)
            throw new RedirectPlanException(errors);
    }

    /// <summary>
    /// Problems installing this plan beside plans already installed on the host: two host-scope
    /// plans both capture every outbound connection (the first nat chain wins), and two gateways
    /// cannot capture the same clients.
    /// </summary>
    public IReadOnlyList<RedirectPlanError> ValidateAlongside(IEnumerable<RedirectPlan> installed)
    {
        var errors = new List<RedirectPlanError>();
        foreach (var other in installed)
        {
            if (ReferenceEquals(other, this))
                continue;
            if (other.TableName == TableName)
                errors.Add(new("name", $"network '{other.Network}' already owns table inet {TableName}"));
            else if (Scope == RedirectScope.Host && other.Scope == RedirectScope.Host)
                errors.Add(new("scope", $"network '{other.Network}' already captures this host's outbound traffic; only one network can have host scope"));
            else if (Scope == RedirectScope.Gateway && other.Scope == RedirectScope.Gateway)
                foreach (var s in Sources)
                    foreach (var o in other.Sources)
                        if (Overlap(s, o))
                            errors.Add(new("sources", $"{s} overlaps {o}, captured by network '{other.Network}'"));
        }
        return errors;
    }

    internal static bool Overlap(IPNetwork a, IPNetwork b)
        => a.BaseAddress.AddressFamily == b.BaseAddress.AddressFamily && (a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress));

    private static void CheckPort(List<RedirectPlanError> errors, string field, int port)
    {
        if (port is < 1 or > 65535)
            errors.Add(new(field, $"{port.ToString(CultureInfo.InvariantCulture)} is not a port; accepted: 1-65535"));
    }

    // nft interval sets refuse overlapping elements; saying which two overlap beats nft's message.
    private static void CheckWithin(List<RedirectPlanError> errors, string field, IReadOnlyList<IPNetwork> networks)
    {
        for (var i = 0; i < networks.Count; i++)
            for (var j = i + 1; j < networks.Count; j++)
                if (Overlap(networks[i], networks[j]))
                    errors.Add(new(field, $"{networks[i]} and {networks[j]} overlap; list each network once"));
    }

    private static bool IsUser(string? u)
        => u is not null && (uint.TryParse(u, NumberStyles.None, CultureInfo.InvariantCulture, out var uid) ? uid != uint.MaxValue : UserNamePattern().IsMatch(u));

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
    private static partial Regex NetworkNamePattern();

    // POSIX portable user names as useradd accepts them (a trailing '$' for machine accounts).
    [GeneratedRegex(@"^[a-z_][a-z0-9_-]{0,30}\$?$")]
    private static partial Regex UserNamePattern();
}
