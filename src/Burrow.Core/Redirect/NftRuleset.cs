using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Burrow.Core.Redirect;

/// <summary>
/// Renders a <see cref="RedirectPlan"/> as the nft script that creates its table in one transaction
/// (nft(8): tables, sets, named counters, chains of type nat and filter, the redirect, fib, ct and
/// meta expressions). This text is what -WhatIf shows and what <see cref="NftablesSession"/> applies.
/// </summary>
/// <remarks>
/// Why the rules are ordered as they are:
/// <list type="bullet">
/// <item>Burrow's own relay sockets carry the mark: they return first, never redirected, never dropped.</item>
/// <item>Local destinations (<c>fib daddr type local</c>) and <c>exclude</c> return before the TCP redirect.
/// Port 53 is captured before <c>exclude</c> (a LAN resolver forwards in clear) and, in gateway scope,
/// before local destinations too (clients asking the gateway's own resolver).</item>
/// <item>The fail-closed filter runs after nat (priority filter &gt; -100 / dstnat): a redirected packet's
/// destination is then this host (127.0.0.1/::1 or, in prerouting, the incoming interface's address), so
/// "local destination" accepts exactly what was redirected, on every packet of the connection.</item>
/// <item><c>ct direction reply</c>: answers of connections others opened to us (an SSH session) are no egress.</item>
/// <item>Neighbour discovery stays allowed (hop limit 255, never leaves the link) or no IPv6 would work,
/// Burrow's own IPv6 relay connections included.</item>
/// </list>
/// </remarks>
internal static class NftRuleset
{
    public const string Family = "inet";

    /// <summary>The script for the current process: owner flag and a comment naming this process.</summary>
    public static string Render(RedirectPlan plan) => Render(plan, new NftRenderOptions(true, BurrowTableMark.ForCurrentProcess(plan.Network).ToComment()));

    public static string Render(RedirectPlan plan, NftRenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        plan.EnsureValid();
        if (options.Comment.Contains('"') || options.Comment.Contains('\n') || Encoding.UTF8.GetByteCount(options.Comment) > 128)
            throw new ArgumentException("the table comment must be at most 128 bytes without quotes or newlines", nameof(options));

        var gateway = plan.Scope == RedirectScope.Gateway;
        var w = new StringBuilder();
        w.Append(CultureInfo.InvariantCulture, $"table {Family} {plan.TableName} {{\n");
        if (options.Owner)
            w.Append("\tflags owner;\n");
        w.Append(CultureInfo.InvariantCulture, $"\tcomment \"{options.Comment}\";\n");

        w.Append('\n');
        Set(w, "exclude_v4", "ipv4_addr", Of(plan.Exclude, AddressFamily.InterNetwork));
        Set(w, "exclude_v6", "ipv6_addr", Of(plan.Exclude, AddressFamily.InterNetworkV6));
        if (gateway)
        {
            Set(w, "sources_v4", "ipv4_addr", Of(plan.Sources, AddressFamily.InterNetwork));
            Set(w, "sources_v6", "ipv6_addr", Of(plan.Sources, AddressFamily.InterNetworkV6));
        }

        w.Append('\n');
        foreach (var counter in Counters(plan))
            w.Append(CultureInfo.InvariantCulture, $"\tcounter {counter} {{ }}\n");

        var mark = string.Create(CultureInfo.InvariantCulture, $"meta mark 0x{plan.SocketMark:x8}");
        var users = Users(plan.ExemptUsers);

        // nat: what is captured.
        w.Append('\n');
        if (gateway)
        {
            w.Append("\tchain nat_prerouting {\n");
            w.Append("\t\ttype nat hook prerouting priority dstnat; policy accept;\n");
        }
        else
        {
            w.Append("\tchain nat_output {\n");
            w.Append("\t\ttype nat hook output priority -100; policy accept;\n");
        }
        var v4 = gateway ? "ip saddr @sources_v4 " : "meta nfproto ipv4 ";
        var v6 = gateway ? "ip6 saddr @sources_v6 " : "meta nfproto ipv6 ";
        w.Append(CultureInfo.InvariantCulture, $"\t\t{mark} return\n");
        if (users != null)
            w.Append(CultureInfo.InvariantCulture, $"\t\tmeta skuid {users} return\n");
        // A client's query to the gateway itself is captured (its resolver would forward it in clear);
        // this host's query to a local resolver is not (that resolver's own upstream query is).
        if (!gateway)
            w.Append("\t\tfib daddr type local return\n");
        // DNS before exclude: a resolver on the LAN (a home router) forwards what it gets in clear.
        CaptureDns(w, plan, v4);
        if (plan.Ipv6)
            CaptureDns(w, plan, v6);
        if (gateway)
            w.Append("\t\tfib daddr type local return\n");
        w.Append("\t\tip daddr @exclude_v4 return\n");
        w.Append("\t\tip6 daddr @exclude_v6 return\n");
        w.Append(CultureInfo.InvariantCulture, $"\t\t{v4}meta l4proto tcp counter name {NftCounterNames.RedirectedTcpV4} redirect to :{plan.TcpPort}\n");
        if (plan.Ipv6)
            w.Append(CultureInfo.InvariantCulture, $"\t\t{v6}meta l4proto tcp counter name {NftCounterNames.RedirectedTcpV6} redirect to :{plan.EffectiveTcpPortV6}\n");
        w.Append("\t}\n");

        if (plan.FailClosed)
        {
            // filter: everything else of the scope is dropped.
            w.Append('\n');
            if (gateway)
            {
                w.Append("\tchain filter_forward {\n");
                w.Append("\t\ttype filter hook forward priority filter; policy accept;\n");
                // Without ipv6 the clients' IPv6 addresses are not known (SLAAC): no forwarded IPv6 at all.
                if (!plan.Ipv6)
                    w.Append(CultureInfo.InvariantCulture, $"\t\tmeta nfproto ipv6 counter name {NftCounterNames.DroppedIpv6} drop\n");
                w.Append("\t\tip saddr @sources_v4 jump fail_closed\n");
                if (plan.Ipv6)
                    w.Append("\t\tip6 saddr @sources_v6 jump fail_closed\n");
                w.Append("\t}\n");
            }
            else
            {
                w.Append("\tchain filter_output {\n");
                w.Append("\t\ttype filter hook output priority filter; policy accept;\n");
                w.Append(CultureInfo.InvariantCulture, $"\t\t{mark} accept\n");
                if (users != null)
                    w.Append(CultureInfo.InvariantCulture, $"\t\tmeta skuid {users} accept\n");
                w.Append("\t\tjump fail_closed\n");
                w.Append("\t}\n");
            }

            w.Append('\n');
            w.Append("\tchain fail_closed {\n");
            w.Append("\t\tct direction reply accept\n");
            w.Append("\t\tfib daddr type local accept\n");
            w.Append("\t\tip daddr @exclude_v4 accept\n");
            w.Append("\t\tip6 daddr @exclude_v6 accept\n");
            if (!gateway)
                w.Append("\t\ticmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept\n");
            w.Append(CultureInfo.InvariantCulture, $"\t\tct state invalid counter name {NftCounterNames.DroppedInvalid} drop\n");
            if (!plan.Ipv6 && !gateway)
                w.Append(CultureInfo.InvariantCulture, $"\t\tmeta nfproto ipv6 counter name {NftCounterNames.DroppedIpv6} drop\n");
            w.Append(CultureInfo.InvariantCulture, $"\t\tmeta l4proto udp counter name {NftCounterNames.DroppedUdp} drop\n");
            w.Append(CultureInfo.InvariantCulture, $"\t\tmeta l4proto {{ icmp, ipv6-icmp }} counter name {NftCounterNames.DroppedIcmp} drop\n");
            w.Append(CultureInfo.InvariantCulture, $"\t\tmeta l4proto tcp counter name {NftCounterNames.DroppedTcp} drop\n");
            w.Append(CultureInfo.InvariantCulture, $"\t\tcounter name {NftCounterNames.DroppedOther} drop\n");
            w.Append("\t}\n");
        }
        w.Append("}\n");
        return w.ToString();
    }

    /// <summary>The named counters the plan's table declares, in declaration order.</summary>
    public static IReadOnlyList<string> Counters(RedirectPlan plan)
    {
        var names = new List<string> { NftCounterNames.RedirectedTcpV4 };
        if (plan.Ipv6)
            names.Add(NftCounterNames.RedirectedTcpV6);
        if (plan.DnsPort != null)
            names.Add(NftCounterNames.RedirectedDns);
        if (plan.FailClosed)
        {
            names.Add(NftCounterNames.DroppedInvalid);
            if (!plan.Ipv6)
                names.Add(NftCounterNames.DroppedIpv6);
            names.AddRange([NftCounterNames.DroppedUdp, NftCounterNames.DroppedIcmp, NftCounterNames.DroppedTcp, NftCounterNames.DroppedOther]);
        }
        return names;
    }

    // Port 53 over TCP too (large answers, DNS over TCP): it must not fall into the plain TCP redirect.
    private static void CaptureDns(StringBuilder w, RedirectPlan plan, string match)
    {
        if (plan.DnsPort is not { } dns)
            return;
        w.Append(CultureInfo.InvariantCulture, $"\t\t{match}udp dport 53 counter name {NftCounterNames.RedirectedDns} redirect to :{dns}\n");
        w.Append(CultureInfo.InvariantCulture, $"\t\t{match}tcp dport 53 counter name {NftCounterNames.RedirectedDns} redirect to :{dns}\n");
    }

    private static void Set(StringBuilder w, string name, string type, IReadOnlyList<IPNetwork> elements)
    {
        // An interval set with no elements is still declared: rules refer to it and an update can fill it.
        w.Append(CultureInfo.InvariantCulture, $"\tset {name} {{ type {type}; flags interval; ");
        if (elements.Count > 0)
            w.Append("elements = { ").AppendJoin(", ", elements.Select(e => e.ToString())).Append(" } ");
        w.Append("}\n");
    }

    private static IReadOnlyList<IPNetwork> Of(IReadOnlyList<IPNetwork> networks, AddressFamily family)
        => networks.Where(n => n.BaseAddress.AddressFamily == family).ToArray();

    // User names are quoted: nft reads '$' as a variable and resolves the quoted name to its uid.
    private static string? Users(IReadOnlyList<string> users)
    {
        if (users.Count == 0)
            return null;
        var items = users.Select(u => u.All(char.IsAsciiDigit) ? u : $"\"{u}\"").ToArray();
        return items.Length == 1 ? items[0] : "{ " + string.Join(", ", items) + " }";
    }
}
