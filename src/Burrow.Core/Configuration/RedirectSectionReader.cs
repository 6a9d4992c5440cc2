using System.Globalization;
using System.Net;
using Burrow.Core.Redirect;

namespace Burrow.Core.Configuration;

/// <summary>
/// [redirect]: the rules Burrow installs and owns. The section's own keys are read here; the rules that
/// need other sections (the listeners, the upstream, [dns]) are <see cref="CheckAgainst"/>, which also runs
/// <see cref="RedirectPlan.Validate"/> on the plan these options would install, so every problem the
/// kernel-facing code would find is reported as a payload error first.
/// </summary>
internal static class RedirectSectionReader
{
    public static readonly string[] Keys = ["install", "scope", "sources", "exclude", "ipv6", "fail_closed", "mark", "exempt_users"];

    private const string NetworksAccepted = "CIDR networks such as \"10.0.3.0/24\" or \"fd00:3::/64\" (a string or an array of strings)";
    private const string MarkAccepted = "an integer from 1 to 4294967295 (TOML also takes 0x4252), or a string \"0x4252\"";
    private const string UsersAccepted = "uids (0-4294967294) or user names, e.g. [\"debian-tor\"]";

    public static RedirectSection? Read(SchemaReader r, PayloadNode node, string path)
    {
        var defaults = new RedirectSection();
        var section = r.Section(node, path, Keys);
        if (section is null)
            return null;
        var ok = true;

        var install = defaults.Install;
        if (section.Get("install") is { } i)
            ok &= Assign(r.ReadBoolean(i.Node, i.Path), ref install);

        var scope = defaults.Scope;
        if (section.Get("scope") is { } s)
        {
            switch (r.ReadString(s.Node, s.Path, "a string", "host, gateway"))
            {
                case null:
                    ok = false;
                    break;
                case var text when text.Equals("host", StringComparison.OrdinalIgnoreCase):
                    scope = RedirectScope.Host;
                    break;
                case var text when text.Equals("gateway", StringComparison.OrdinalIgnoreCase):
                    scope = RedirectScope.Gateway;
                    break;
                default:
                    r.Error(s.Path, s.Node, $"{s.Node.Show()} is not a scope; accepted: \"host\" (this host's outbound traffic) or \"gateway\" (traffic forwarded for sources)");
                    ok = false;
                    break;
            }
        }

        IReadOnlyList<IPNetwork> sources = defaults.Sources;
        if (section.Get("sources") is { } so)
            ok &= AssignRef(r.ReadNetworks(so.Node, so.Path, NetworksAccepted), ref sources);
        IReadOnlyList<IPNetwork> exclude = defaults.Exclude;
        if (section.Get("exclude") is { } ex)
            ok &= AssignRef(r.ReadNetworks(ex.Node, ex.Path, NetworksAccepted), ref exclude);

        var ipv6 = defaults.Ipv6;
        if (section.Get("ipv6") is { } v6)
            ok &= Assign(r.ReadBoolean(v6.Node, v6.Path), ref ipv6);

        var failClosed = install;
        var failEntry = section.Get("fail_closed");
        if (failEntry is { } fc)
        {
            ok &= Assign(r.ReadBoolean(fc.Node, fc.Path), ref failClosed);
            if (fc.Node.Kind == PayloadNodeKind.Boolean && fc.Node.Boolean && !install)
            {
                r.Error(fc.Path, fc.Node, "true needs install = true: fail-closed rules are part of the table Burrow installs; accepted: false, or set redirect.install = true");
                ok = false;
            }
        }

        var mark = defaults.Mark;
        if (section.Get("mark") is { } m)
        {
            if (ReadMark(r, m.Node, m.Path) is { } value)
                mark = value;
            else
                ok = false;
        }

        IReadOnlyList<string> users = defaults.ExemptUsers;
        if (section.Get("exempt_users") is { } u)
            ok &= AssignRef(ReadUsers(r, u.Node, u.Path), ref users);

        return ok
            ? new RedirectSection
            {
                Install = install,
                Scope = scope,
                Sources = sources,
                Exclude = exclude,
                Ipv6 = ipv6,
                FailClosed = failClosed,
                Mark = mark,
                ExemptUsers = users,
            }
            : null;
    }

    /// <summary>
    /// The rules between [redirect] and the rest, when install is true: the plan's own checks (as
    /// <c>redirect.&lt;field&gt;</c>), where the listeners must listen for nft's <c>redirect</c> to reach them,
    /// and the SOCKS daemon's exemption.
    /// </summary>
    public static void CheckAgainst(SchemaReader r, RedirectSection redirect, PayloadNode at, string path,
        TcpStackSection tcpStack, UpstreamSection upstream, DnsSection dns, string dnsPath)
    {
        if (!redirect.Install)
            return; // nothing is installed, so nothing here can conflict
        var plan = PlanFor("payload", redirect, tcpStack.Listen.Port, null, dns.Listen.Port);
        foreach (var error in plan.Validate())
        {
            // The plan's listen and dns_port are the payload's tcp_stack.listen and dns.listen.
            var field = error.Field switch
            {
                "listen" or "listen_v6" => "tcp_stack.listen",
                "dns_port" => null, // the same port as the TCP listener: DnsSectionReader says it with the addresses
                "name" => null, // the network's name is -Name, which the cmdlet checks
                var f => SchemaReader.Join(path, f),
            };
            if (field is not null)
                r.Error(field, at, error.Message);
        }

        if (redirect.Scope == RedirectScope.Host)
        {
            // nft's redirect sends a packet to the primary address of the interface it leaves on: 127.0.0.1 (and ::1) for this host's own traffic.
            if (!ReachableByHostRedirect(tcpStack.Listen.Address))
                r.Error("tcp_stack.listen", at, $"{NetworkSyntax.Format(tcpStack.Listen)} cannot receive host-scope redirects: nft's redirect delivers this host's connections to 127.0.0.1 (IPv6: ::1); accepted: 127.0.0.1:<port>, 0.0.0.0:<port> or [::]:<port> when redirect.install is true");
            if (!ReachableByHostRedirect(dns.Listen.Address))
                r.Error(SchemaReader.Join(dnsPath, "listen"), at, $"{NetworkSyntax.Format(dns.Listen)} cannot receive host-scope redirects: nft's redirect delivers this host's queries to 127.0.0.1 (IPv6: ::1); accepted: 127.0.0.1:<port>, 0.0.0.0:<port> or [::]:<port> when redirect.install is true");
        }
        else
        {
            if (IPAddress.IsLoopback(tcpStack.Listen.Address))
                r.Error("tcp_stack.listen", at, $"{NetworkSyntax.Format(tcpStack.Listen)} is a loopback address, which forwarded traffic redirected in prerouting never reaches; accepted: 0.0.0.0:<port> or [::]:<port> (or this gateway's address on the clients' side) with scope = \"gateway\"");
            if (IPAddress.IsLoopback(dns.Listen.Address))
                r.Error(SchemaReader.Join(dnsPath, "listen"), at, $"{NetworkSyntax.Format(dns.Listen)} is a loopback address, which forwarded queries redirected in prerouting never reach; accepted: 0.0.0.0:<port> or [::]:<port> with scope = \"gateway\"");
        }

        if (upstream.Kind == UpstreamKind.Socks5 && redirect.Scope == RedirectScope.Host && redirect.ExemptUsers.Count == 0)
        {
            r.Error(SchemaReader.Join(path, "exempt_users"), at,
                "is empty, but with upstream.kind = \"socks5\" the SOCKS daemon's own connections to relays would be redirected back into Burrow (its sockets carry no Burrow mark); accepted: the daemon's user, e.g. exempt_users = [\"debian-tor\"]");
        }
    }

    /// <summary>The plan a network with these options installs, once its listeners are bound.</summary>
    public static RedirectPlan PlanFor(string network, RedirectSection redirect, int tcpPort, int? tcpPortV6, int? dnsPort) => new()
    {
        Network = network,
        Scope = redirect.Scope,
        Sources = redirect.Sources,
        Exclude = redirect.Exclude,
        Ipv6 = redirect.Ipv6,
        FailClosed = redirect.FailClosed,
        TcpPort = tcpPort,
        TcpPortV6 = tcpPortV6,
        DnsPort = dnsPort,
        SocketMark = redirect.Mark,
        ExemptUsers = redirect.ExemptUsers,
    };

    private static bool ReachableByHostRedirect(IPAddress address)
        => address.Equals(IPAddress.Loopback) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static uint? ReadMark(SchemaReader r, PayloadNode node, string path)
    {
        long value;
        if (node.Kind == PayloadNodeKind.Integer && !node.IntegerOverflow)
        {
            value = node.Integer;
        }
        else if (node.Kind == PayloadNodeKind.String)
        {
            var text = node.String.Trim();
            var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
            if (!long.TryParse(hex ? text[2..] : text, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out value))
            {
                r.Error(path, node, $"{node.Show()} is not a number; accepted: {MarkAccepted}");
                return null;
            }
        }
        else if (node.Kind == PayloadNodeKind.Integer)
        {
            r.Error(path, node, $"{node.Display} is out of range; accepted: {MarkAccepted}");
            return null;
        }
        else
        {
            r.TypeError(path, node, "an integer", MarkAccepted);
            return null;
        }
        if (value == 0)
        {
            r.Error(path, node, $"0 is not a socket mark (unmarked packets carry 0, so it would exempt everything); accepted: {MarkAccepted}");
            return null;
        }
        if (value is < 0 or > uint.MaxValue)
        {
            r.Error(path, node, $"{node.Show()} is out of range; accepted: {MarkAccepted}");
            return null;
        }
        return (uint)value;
    }

    private static List<string>? ReadUsers(SchemaReader r, PayloadNode node, string path)
    {
        List<(PayloadNode Node, string Path)> items;
        if (node.Kind == PayloadNodeKind.Integer)
            items = [(node, path)];
        else if (r.ListOf(node, path, "an array of user names or uids", UsersAccepted) is { } list)
            items = list;
        else
            return null;
        var result = new List<string>(items.Count);
        var ok = true;
        foreach (var (item, itemPath) in items)
        {
            string? user = item.Kind switch
            {
                PayloadNodeKind.Integer when !item.IntegerOverflow && item.Integer is >= 0 and < uint.MaxValue => item.Integer.ToString(CultureInfo.InvariantCulture),
                PayloadNodeKind.String => item.String,
                _ => null,
            };
            if (user is null)
            {
                if (item.Kind is PayloadNodeKind.Integer)
                    r.Error(itemPath, item, $"{item.Display} is not a uid; accepted: {UsersAccepted}");
                else
                    r.TypeError(itemPath, item, "a user name or uid", UsersAccepted);
                ok = false;
                continue;
            }
            var probe = new RedirectPlan { Network = "x", TcpPort = 1, SocketMark = 1, ExemptUsers = [user] };
            if (probe.Validate().FirstOrDefault(e => e.Field == "exempt_users") is { } problem)
            {
                r.Error(itemPath, item, problem.Message);
                ok = false;
                continue;
            }
            if (result.Contains(user, StringComparer.Ordinal))
            {
                r.Error(itemPath, item, $"{item.Show()} is listed twice; accepted: each user once");
                ok = false;
                continue;
            }
            result.Add(user);
        }
        return ok ? result : null;
    }

    private static bool Assign(bool? value, ref bool target)
    {
        if (value is not { } v)
            return false;
        target = v;
        return true;
    }

    private static bool AssignRef<T>(List<T>? value, ref IReadOnlyList<T> target)
    {
        if (value is null)
            return false;
        target = value;
        return true;
    }
}
