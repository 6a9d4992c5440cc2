using System.Net;
using System.Net.Sockets;

namespace Burrow.Core.Configuration;

/// <summary>
/// The payload schema, written once over the common tree (<see cref="PayloadNode"/>) whatever
/// form the payload came in. This file reads the top level (address, tun_name, mtu) and hands each
/// section to its reader (<see cref="ArtiSectionReader"/>, <see cref="TcpStackSectionReader"/>,
/// <see cref="UpstreamSectionReader"/>, <see cref="RecoverySectionReader"/>, <see cref="RedirectSectionReader"/>,
/// <see cref="DnsSectionReader"/>, <see cref="IsolateKeyReader"/>), all sharing one
/// <see cref="SchemaReader"/>. Every problem is collected (up to <see cref="MaxErrors"/>) in the
/// schema's order so one run shows them all; cross-key rules run only when the keys they depend on
/// were valid. A new section is a new reader file, a key in <see cref="RootKeys"/> and one line in
/// <see cref="ReadRoot"/>. See docs/payload.md for the keys.
/// </summary>
internal static class PayloadValidator
{
    public const int MaxErrors = 20;

    public const int MinMtu = 576;
    public const int MinMtuIPv6 = 1280;
    public const int MaxMtu = 65535;

    private const string AddressAccepted = "CIDR addresses such as \"100.64.0.2/32\" or \"fd00::2/128\" (a string or an array of strings)";
    private const string TunNameAccepted = "1 to 15 characters from A-Z, a-z, 0-9, '_', '.', '-'";

    private static readonly string[] RootKeys = ["address", "tun_name", "mtu", "arti", "tcp_stack", "upstream", "recovery", "redirect", "dns", "isolate"];

    /// <summary>The options the payload describes, or a <see cref="PayloadException"/> listing every problem.</summary>
    public static BurrowOptions Validate(PayloadNode root, PayloadContext context)
    {
        var reader = new SchemaReader(context);
        var options = ReadRoot(reader, root);
        if (reader.Errors.Count > 0)
            throw new PayloadException(reader.Errors.ToList());
        return options!;
    }

    private static BurrowOptions? ReadRoot(SchemaReader r, PayloadNode root)
    {
        var defaults = new BurrowOptions();
        var section = r.Section(root, "", RootKeys, "known top-level keys");
        if (section is null)
            return null;

        var address = section.Get("address") is { } a ? ReadAddresses(r, a.Node, a.Path) : defaults.Address;
        var tunName = section.Get("tun_name") is { } t ? ReadTunName(r, t.Node, t.Path) : defaults.TunName;
        var mtuEntry = section.Get("mtu");
        var mtu = mtuEntry is { } m ? r.ReadInteger(m.Node, m.Path, MinMtu, MaxMtu) : defaults.Mtu;
        if (mtu is { } mtuValue && address is not null && mtuValue < MinMtuIPv6
            && address.Any(n => n.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6))
        {
            r.Error(mtuEntry?.Path ?? "mtu", mtuEntry?.Node ?? root,
                $"{mtuValue} is below {MinMtuIPv6}, the IPv6 minimum, and address has an IPv6 network; accepted: an integer from {MinMtuIPv6} to {MaxMtu} when address includes IPv6");
        }

        var arti = section.Get("arti") is { } ar ? ArtiSectionReader.Read(r, ar.Node, ar.Path) : defaults.Arti;
        var tcpStack = section.Get("tcp_stack") is { } ts ? TcpStackSectionReader.Read(r, ts.Node, ts.Path) : defaults.TcpStack;
        var upstream = section.Get("upstream") is { } up ? UpstreamSectionReader.Read(r, up.Node, up.Path) : defaults.Upstream;
        var recovery = section.Get("recovery") is { } rc ? RecoverySectionReader.Read(r, rc.Node, rc.Path, tcpStack) : defaults.Recovery;
        var redirectEntry = section.Get("redirect");
        var redirect = redirectEntry is { } rd ? RedirectSectionReader.Read(r, rd.Node, rd.Path) : defaults.Redirect;
        var dnsEntry = section.Get("dns");
        var dns = dnsEntry is { } dn ? DnsSectionReader.Read(r, dn.Node, dn.Path) : defaults.Dns;
        var isolate = section.Get("isolate") is { } iso ? IsolateKeyReader.Read(r, iso.Node, iso.Path) : defaults.Isolate;

        // Rules across sections, only over sections that were valid.
        if (redirect is not null && dns is not null && tcpStack is not null && upstream is not null)
        {
            RedirectSectionReader.CheckAgainst(r, redirect, redirectEntry?.Node ?? root, "redirect", tcpStack, upstream, dns, "dns");
            if (redirect.Install || dns.Enable)
                DnsSectionReader.CheckAgainst(r, dns, dnsEntry?.Node ?? redirectEntry?.Node ?? root, "dns", tcpStack, redirect);
        }

        if (r.Errors.Count > 0)
            return null;
        return new BurrowOptions
        {
            Address = address!,
            TunName = tunName!,
            Mtu = mtu!.Value,
            Arti = arti!,
            TcpStack = tcpStack!,
            Upstream = upstream!,
            Recovery = recovery!,
            Redirect = redirect!,
            Dns = dns!,
            Isolate = isolate!,
        };
    }

    private static IReadOnlyList<IPNetwork>? ReadAddresses(SchemaReader r, PayloadNode node, string path)
    {
        var items = r.ListOf(node, path, "a CIDR string or an array of them", AddressAccepted);
        if (items is null)
            return null;
        if (items.Count == 0)
        {
            r.Error(path, node, $"must list at least one address; accepted: {AddressAccepted}");
            return null;
        }
        var result = new List<IPNetwork>(items.Count);
        var ok = true;
        foreach (var (item, itemPath) in items)
        {
            if (r.ReadString(item, itemPath, "a CIDR string", AddressAccepted) is not { } text)
            {
                ok = false;
                continue;
            }
            switch (NetworkSyntax.TryParseCidr(text, out var network))
            {
                case NetworkSyntax.CidrProblem.None:
                    if (result.Contains(network))
                    {
                        r.Error(itemPath, item, $"{item.Show()} is listed twice; accepted: each address once");
                        ok = false;
                    }
                    result.Add(network);
                    break;
                case NetworkSyntax.CidrProblem.HostBits:
                    r.Error(itemPath, item, $"{item.Show()} has bits set after its prefix length; accepted: a network address (e.g. \"10.0.0.0/24\") or a single host (\"/32\" or \"/128\")");
                    ok = false;
                    break;
                default:
                    r.Error(itemPath, item, $"{item.Show()} is not a valid CIDR address; accepted: {AddressAccepted}");
                    ok = false;
                    break;
            }
        }
        return ok ? result : null;
    }

    private static string? ReadTunName(SchemaReader r, PayloadNode node, string path)
    {
        if (r.ReadString(node, path, "a string", TunNameAccepted) is not { } name)
            return null;
        var valid = name.Length is >= 1 and <= 15 && name is not ("." or "..")
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
        if (!valid)
        {
            r.Error(path, node, $"{node.Show()} is not a valid interface name; accepted: {TunNameAccepted}");
            return null;
        }
        return name;
    }
}
