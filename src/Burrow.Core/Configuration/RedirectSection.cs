using System.Net;
using Burrow.Core.Redirect;

namespace Burrow.Core.Configuration;

/// <summary>
/// [redirect]: the rules Burrow installs and owns (an <c>inet burrow_&lt;name&gt;</c> nft table on Linux).
/// With <see cref="Install"/> false (the default) the host redirects by itself, as before.
/// </summary>
public sealed class RedirectSection
{
    /// <summary>The default <see cref="Mark"/>: "BR" in ASCII.</summary>
    public const uint DefaultMark = 0x4252;

    /// <summary>Burrow installs its redirect table at start and removes it at stop (and on crash: owner flag).</summary>
    public bool Install { get; init; }

    public RedirectScope Scope { get; init; } = RedirectScope.Host;

    /// <summary>Gateway scope: the client networks whose forwarded traffic is captured.</summary>
    public IReadOnlyList<IPNetwork> Sources { get; init; } = [];

    /// <summary>Destinations that never go to Tor.</summary>
    public IReadOnlyList<IPNetwork> Exclude { get; init; } = [];

    /// <summary>Also redirect IPv6 TCP and DNS (an IPv6 listener is added when tcp_stack.listen is IPv4).</summary>
    public bool Ipv6 { get; init; } = true;

    /// <summary>Drop every other outbound packet of the scope. Defaults to <see cref="Install"/>.</summary>
    public bool FailClosed { get; init; }

    /// <summary>SO_MARK on the in-process client's relay sockets; the table returns packets carrying it first.</summary>
    public uint Mark { get; init; } = DefaultMark;

    /// <summary>Host scope: uids or user names whose traffic returns (the SOCKS daemon's user).</summary>
    public IReadOnlyList<string> ExemptUsers { get; init; } = [];
}
