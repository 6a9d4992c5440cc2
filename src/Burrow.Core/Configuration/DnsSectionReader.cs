using System.Net;
using System.Net.Sockets;
using Burrow.Core.Dns;
using Burrow.Core.Redirect;

namespace Burrow.Core.Configuration;

/// <summary>[dns]: the DNS listener and its virtual addresses. Rules across sections are <see cref="CheckAgainst"/>.</summary>
internal static class DnsSectionReader
{
    public static readonly string[] Keys = ["listen", "enable", "automap_suffixes", "virtual_network_v4", "virtual_network_v6"];

    private const string SuffixesAccepted = "name suffixes such as \".onion\" or \".example\", or \".\" for every name (a string or an array of strings)";

    public static DnsSection? Read(SchemaReader r, PayloadNode node, string path)
    {
        var defaults = new DnsSection();
        var section = r.Section(node, path, Keys);
        if (section is null)
            return null;
        var ok = true;

        var listen = defaults.Listen;
        if (section.Get("listen") is { } l)
        {
            if (r.ReadEndPoint(l.Node, l.Path, "the DNS listener (UDP and TCP) as " + SchemaReader.EndPointAccepted) is { } ep)
                listen = ep;
            else
                ok = false;
        }

        var enable = defaults.Enable;
        if (section.Get("enable") is { } e)
        {
            if (r.ReadBoolean(e.Node, e.Path) is { } b)
                enable = b;
            else
                ok = false;
        }

        var suffixes = defaults.AutomapSuffixes;
        if (section.Get("automap_suffixes") is { } s)
        {
            if (ReadSuffixes(r, s.Node, s.Path) is { } list)
                suffixes = list;
            else
                ok = false;
        }

        var v4 = defaults.VirtualNetworkV4;
        var v4Entry = section.Get("virtual_network_v4");
        if (v4Entry is { } n4)
        {
            if (ReadVirtualNetwork(r, n4.Node, n4.Path, AddressFamily.InterNetwork) is { } net)
                v4 = net;
            else
                ok = false;
        }
        var v6 = defaults.VirtualNetworkV6;
        if (section.Get("virtual_network_v6") is { } n6)
        {
            if (ReadVirtualNetwork(r, n6.Node, n6.Path, AddressFamily.InterNetworkV6) is { } net)
                v6 = net;
            else
                ok = false;
        }

        return ok
            ? new DnsSection { Listen = listen, Enable = enable, AutomapSuffixes = suffixes, VirtualNetworkV4 = v4, VirtualNetworkV6 = v6 }
            : null;
    }

    /// <summary>The virtual ranges must not hold an excluded network or a listener; the DNS and TCP listeners need their own ports.</summary>
    public static void CheckAgainst(SchemaReader r, DnsSection dns, PayloadNode at, string path, TcpStackSection tcpStack, RedirectSection redirect)
    {
        foreach (var (network, key) in new[] { (dns.VirtualNetworkV4, "virtual_network_v4"), (dns.VirtualNetworkV6, "virtual_network_v6") })
        {
            var keyPath = SchemaReader.Join(path, key);
            foreach (var excluded in redirect.Exclude)
                if (RedirectPlan.Overlap(network, excluded))
                    r.Error(keyPath, at, $"{network} overlaps redirect.exclude {excluded}: a virtual address must be redirected to Burrow, an excluded one never is; accepted: a range that no excluded network touches");
            foreach (var (listener, name) in new[] { (tcpStack.Listen, "tcp_stack.listen"), (dns.Listen, SchemaReader.Join(path, "listen")) })
                if (network.Contains(listener.Address))
                    r.Error(keyPath, at, $"{network} contains {name} {NetworkSyntax.Format(listener)}: its addresses would be handed out as names' addresses; accepted: a range that holds no listener address");
        }

        if (dns.Listen.Port == tcpStack.Listen.Port && SameOrWildcard(dns.Listen.Address, tcpStack.Listen.Address))
            r.Error(SchemaReader.Join(path, "listen"), at,
                $"{NetworkSyntax.Format(dns.Listen)} uses the port of tcp_stack.listen {NetworkSyntax.Format(tcpStack.Listen)}; DNS over TCP needs its own listener: accepted: another port, e.g. {NetworkSyntax.Format(new IPEndPoint(dns.Listen.Address, 9053))}");
    }

    private static bool SameOrWildcard(IPAddress a, IPAddress b)
        => a.Equals(b) || a.Equals(IPAddress.Any) || b.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any) || b.Equals(IPAddress.IPv6Any);

    private static List<string>? ReadSuffixes(SchemaReader r, PayloadNode node, string path)
    {
        var items = r.ListOf(node, path, "a string or an array of strings", SuffixesAccepted);
        if (items is null)
            return null;
        var result = new List<string>(items.Count);
        var ok = true;
        foreach (var (item, itemPath) in items)
        {
            if (r.ReadString(item, itemPath, "a string", SuffixesAccepted) is not { } text)
            {
                ok = false;
                continue;
            }
            if (!DnsName.TryNormalizeSuffix(text, out _, out var problem))
            {
                r.Error(itemPath, item, $"{item.Show()} is not a name suffix ({problem}); accepted: {SuffixesAccepted}");
                ok = false;
                continue;
            }
            result.Add(text);
        }
        return ok ? result : null;
    }

    private static IPNetwork? ReadVirtualNetwork(SchemaReader r, PayloadNode node, string path, AddressFamily family)
    {
        var v4 = family == AddressFamily.InterNetwork;
        var accepted = v4 ? "an IPv4 CIDR network of at least 16384 addresses, e.g. \"10.192.0.0/10\"" : "an IPv6 CIDR network, e.g. \"fd62:7572:726f:77::/64\"";
        if (r.ReadString(node, path, "a string", accepted) is not { } text)
            return null;
        switch (NetworkSyntax.TryParseCidr(text, out var network))
        {
            case NetworkSyntax.CidrProblem.HostBits:
                r.Error(path, node, $"{node.Show()} has bits set after its prefix length; accepted: {accepted}");
                return null;
            case NetworkSyntax.CidrProblem.Syntax:
                r.Error(path, node, $"{node.Show()} is not a valid CIDR network; accepted: {accepted}");
                return null;
        }
        if (network.BaseAddress.AddressFamily != family)
        {
            r.Error(path, node, $"{node.Show()} is not an {(v4 ? "IPv4" : "IPv6")} network; accepted: {accepted}");
            return null;
        }
        try
        {
            // The map's own checks (room for every name it keeps), so a start can never fail on them.
            _ = new VirtualAddressMap(v4 ? new VirtualAddressMapOptions { NetworkV4 = network } : new VirtualAddressMapOptions { NetworkV6 = network });
        }
        catch (ArgumentException e)
        {
            r.Error(path, node, $"{node.Show()}: {e.Message.Split(" (Parameter")[0]}; accepted: {accepted}");
            return null;
        }
        return network;
    }
}
