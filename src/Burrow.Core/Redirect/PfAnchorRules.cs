using System.Globalization;
using System.Text;

namespace Burrow.Core.Redirect;

/// <summary>
/// Renders a <see cref="RedirectPlan"/> as the rules of a pf anchor (macOS; pf.conf(5) as xnu ships it):
/// tables, then translation (<c>rdr</c>), then <c>quick</c> filter rules, the order pf requires.
/// </summary>
/// <remarks>
/// How it captures (PLATFORM.md "macOS: pf rules"): <c>rdr</c> only sees packets coming <i>in</i>, so
/// host scope sends outbound packets to lo0 with <c>pass out route-to (lo0 127.0.0.1)</c>; they come back
/// in on lo0, where <c>rdr</c> hands them to the listener. Gateway scope redirects on the way in.
/// pf has no socket marks: Burrow's own relay connections are exempt by destination (table
/// <c>&lt;relays&gt;</c>, filled at run time with <c>pfctl -a ANCHOR -t relays -T replace ADDR...</c>) and by
/// <see cref="RedirectPlan.ExemptUsers"/>. Drops carry labels named like the nft counters
/// (<c>pfctl -a ANCHOR -s labels</c>).
/// Unverified on a real Mac (golden text only): the whole ruleset loading in an anchor, <c>self</c> inside a
/// table, <c>user</c> with names, and that replies to inbound connections keep passing under fail-closed
/// (they match state made by the inbound pass; a ruleset that passes inbound without state would break them).
/// </remarks>
internal static class PfAnchorRules
{
    /// <summary>The main-ruleset lines a <c>burrow/*</c> anchor needs (stock /etc/pf.conf only evaluates <c>com.apple/*</c>).</summary>
    public const string MainRulesetHooks = "rdr-anchor \"burrow/*\"\nanchor \"burrow/*\"\n";

    /// <summary>The anchor a network's rules load into.</summary>
    public static string AnchorFor(string network) => "burrow/" + network;

    public static string Render(RedirectPlan plan) => Render(plan, AnchorFor(plan.Network));

    public static string Render(RedirectPlan plan, string anchor)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentException.ThrowIfNullOrWhiteSpace(anchor);
        plan.EnsureValid();
        var gateway = plan.Scope == RedirectScope.Gateway;
        var w = new StringBuilder();
        w.Append(CultureInfo.InvariantCulture, $"# Burrow network {plan.Network}, {(gateway ? "gateway" : "host")} scope: pfctl -a {anchor} -f <this file>\n");
        if (!anchor.StartsWith("com.apple/", StringComparison.Ordinal))
            w.Append("# The main ruleset needs: rdr-anchor \"burrow/*\" and anchor \"burrow/*\"\n");
        w.Append(CultureInfo.InvariantCulture, $"# Burrow's relay connections pass by destination (<relays>); socket mark 0x{plan.SocketMark:x8} is Linux-only\n");

        // Tables. <local>: this host; <direct>: never to Tor (this host and exclude).
        string[] local = ["self", "127.0.0.0/8", "::1"];
        w.Append("table <local> const { ").AppendJoin(", ", local).Append(" }\n");
        w.Append("table <direct> const { ").AppendJoin(", ", local.Concat(plan.Exclude.Select(e => e.ToString()))).Append(" }\n");
        w.Append("table <relays> persist\n");
        if (gateway)
            w.Append("table <sources> const { ").AppendJoin(", ", plan.Sources.Select(s => s.ToString())).Append(" }\n");

        // Translation.
        var from = gateway ? "on ! lo0" : "on lo0";
        var src = gateway ? "<sources>" : "any";
        Rdr(w, plan, from, "inet", src, "127.0.0.1", plan.TcpPort);
        if (plan.Ipv6)
            Rdr(w, plan, from, "inet6", src, "::1", plan.EffectiveTcpPortV6);

        // Filtering.
        if (!gateway)
        {
            w.Append("pass out quick on ! lo0 proto tcp from any to <relays> keep state\n");
            if (plan.ExemptUsers.Count > 0)
                w.Append("pass out quick on ! lo0 proto { tcp, udp } from any to any user ").Append(List(plan.ExemptUsers)).Append(" keep state\n");
            // DNS before <direct>, as in the nft rules: a LAN resolver forwards in clear.
            RouteToDns(w, plan, "inet", "127.0.0.1");
            if (plan.Ipv6)
                RouteToDns(w, plan, "inet6", "::1");
            w.Append("pass out quick on ! lo0 from any to <direct> keep state\n");
            w.Append("pass out quick on ! lo0 route-to (lo0 127.0.0.1) inet proto tcp from any to any keep state\n");
            if (plan.Ipv6)
                w.Append("pass out quick on ! lo0 route-to (lo0 ::1) inet6 proto tcp from any to any keep state\n");
        }
        if (plan.FailClosed)
        {
            var dir = gateway ? "in" : "out";
            var scope = gateway ? "from <sources> to ! <direct>" : "all";
            if (!gateway)
                w.Append("pass out quick on ! lo0 inet6 proto icmp6 icmp6-type { neighbrsol, neighbradv, routersol } keep state\n");
            if (!plan.Ipv6)
                w.Append(CultureInfo.InvariantCulture, $"block drop {dir} quick on ! lo0 inet6 {(gateway ? "from any to ! <direct>" : "all")} label \"{NftCounterNames.DroppedIpv6}\"\n");
            w.Append(CultureInfo.InvariantCulture, $"block drop {dir} quick on ! lo0 proto udp {scope} label \"{NftCounterNames.DroppedUdp}\"\n");
            w.Append(CultureInfo.InvariantCulture, $"block drop {dir} quick on ! lo0 proto {{ icmp, icmp6 }} {scope} label \"{NftCounterNames.DroppedIcmp}\"\n");
            w.Append(CultureInfo.InvariantCulture, $"block drop {dir} quick on ! lo0 proto tcp {scope} label \"{NftCounterNames.DroppedTcp}\"\n");
            w.Append(CultureInfo.InvariantCulture, $"block drop {dir} quick on ! lo0 {scope} label \"{NftCounterNames.DroppedOther}\"\n");
        }
        return w.ToString();
    }

    // DNS first: the first matching rdr wins, and port 53 over TCP must reach the DNS listener. Host scope
    // leaves a resolver on this host alone (its upstream query is captured); a gateway captures every query of its clients.
    private static void Rdr(StringBuilder w, RedirectPlan plan, string on, string af, string from, string to, int port)
    {
        if (plan.DnsPort is { } dns)
            w.Append(CultureInfo.InvariantCulture, $"rdr pass {on} {af} proto {{ tcp, udp }} from {from} to {(from == "any" ? "! <local>" : "any")} port 53 -> {to} port {dns}\n");
        w.Append(CultureInfo.InvariantCulture, $"rdr pass {on} {af} proto tcp from {from} to ! <direct> -> {to} port {port}\n");
    }

    private static void RouteToDns(StringBuilder w, RedirectPlan plan, string af, string loopback)
    {
        if (plan.DnsPort != null)
            w.Append(CultureInfo.InvariantCulture, $"pass out quick on ! lo0 route-to (lo0 {loopback}) {af} proto {{ tcp, udp }} from any to ! <local> port 53 keep state\n");
    }

    private static string List(IReadOnlyList<string> items) => items.Count == 1 ? items[0] : "{ " + string.Join(", ", items) + " }";
}
