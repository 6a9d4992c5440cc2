using System.Globalization;
using System.Text;
using Burrow.Tor.NetDoc;

namespace Burrow.Core.Configuration;

/// <summary>
/// Renders effective options back as a TOML payload (for -WhatIf and diagnostics). Every key is
/// written, defaults included, so the output shows exactly what will run; parsing it gives the
/// same options back.
/// </summary>
public static class PayloadWriter
{
    public static string ToToml(BurrowOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sb = new StringBuilder();
        sb.Append("address = ").Append(Array(options.Address.Select(n => Str(n.ToString())))).Append('\n');
        sb.Append("tun_name = ").Append(Str(options.TunName)).Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"mtu = {options.Mtu}\n");
        sb.Append("isolate = ").Append(options.Isolate.ToString()).Append('\n');

        var arti = options.Arti;
        sb.Append("\n[arti]\n");
        sb.Append("state_dir = ").Append(Str(arti.StateDir)).Append('\n');
        sb.Append("cache_dir = ").Append(Str(arti.CacheDir)).Append('\n');
        if (arti.Authorities.Count > 0 || arti.FallbackCaches.Count > 0)
        {
            sb.Append("\n[arti.tor_network]\n");
            sb.Append("authorities = [");
            foreach (var a in arti.Authorities)
                sb.Append("\n  { name = ").Append(Str(a.Name)).Append(", v3ident = ").Append(Str(a.V3Ident)).Append(" },");
            sb.Append(arti.Authorities.Count > 0 ? "\n]\n" : "]\n");
            sb.Append("fallback_caches = [");
            foreach (var f in arti.FallbackCaches)
                sb.Append("\n  ").Append(Fallback(f)).Append(',');
            sb.Append(arti.FallbackCaches.Count > 0 ? "\n]\n" : "]\n");
        }
        sb.Append("\n[arti.path_rules]\n");
        sb.Append(CultureInfo.InvariantCulture, $"ipv4_subnet_family_prefix = {arti.Ipv4SubnetFamilyPrefix}\n");
        sb.Append(CultureInfo.InvariantCulture, $"ipv6_subnet_family_prefix = {arti.Ipv6SubnetFamilyPrefix}\n");
        if (arti.OnionClientAuthDir is not null || arti.OnionTestingTimePeriods)
        {
            sb.Append("\n[arti.onion]\n");
            if (arti.OnionClientAuthDir is not null)
                sb.Append("client_auth_dir = ").Append(Str(arti.OnionClientAuthDir)).Append('\n');
            if (arti.OnionTestingTimePeriods)
                sb.Append("testing_time_periods = true\n");
        }

        sb.Append("\n[tcp_stack]\n");
        sb.Append("kind = ").Append(Str(options.TcpStack.Kind switch
        {
            TcpStackKind.System => "system",
            var other => other.ToString().ToLowerInvariant(),
        })).Append('\n');
        sb.Append("listen = ").Append(Str(NetworkSyntax.Format(options.TcpStack.Listen))).Append('\n');

        sb.Append("\n[upstream]\n");
        sb.Append("kind = ").Append(Str(options.Upstream.Kind == UpstreamKind.Socks5 ? "socks5" : "in_process")).Append('\n');
        if (options.Upstream.Socks5Address is { } socks)
            sb.Append("socks5 = ").Append(Str(NetworkSyntax.Format(socks))).Append('\n');

        sb.Append("\n[recovery]\n");
        sb.Append("pflog_fallback = ").Append(options.Recovery.PflogFallback ? "true" : "false").Append('\n');

        var redirect = options.Redirect;
        sb.Append("\n[redirect]\n");
        sb.Append("install = ").Append(Bool(redirect.Install)).Append('\n');
        sb.Append("scope = ").Append(Str(redirect.Scope == Redirect.RedirectScope.Gateway ? "gateway" : "host")).Append('\n');
        sb.Append("sources = ").Append(Array(redirect.Sources.Select(n => Str(n.ToString())))).Append('\n');
        sb.Append("exclude = ").Append(Array(redirect.Exclude.Select(n => Str(n.ToString())))).Append('\n');
        sb.Append("ipv6 = ").Append(Bool(redirect.Ipv6)).Append('\n');
        sb.Append("fail_closed = ").Append(Bool(redirect.FailClosed)).Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"mark = 0x{redirect.Mark:x}\n");
        sb.Append("exempt_users = ").Append(Array(redirect.ExemptUsers.Select(u => u.All(char.IsAsciiDigit) ? u : Str(u)))).Append('\n');

        var dns = options.Dns;
        sb.Append("\n[dns]\n");
        sb.Append("listen = ").Append(Str(NetworkSyntax.Format(dns.Listen))).Append('\n');
        sb.Append("enable = ").Append(Bool(dns.Enable)).Append('\n');
        sb.Append("automap_suffixes = ").Append(Array(dns.AutomapSuffixes.Select(Str))).Append('\n');
        sb.Append("virtual_network_v4 = ").Append(Str(dns.VirtualNetworkV4.ToString())).Append('\n');
        sb.Append("virtual_network_v6 = ").Append(Str(dns.VirtualNetworkV6.ToString())).Append('\n');
        return sb.ToString();
    }

    private static string Fallback(FallbackDir f)
    {
        var sb = new StringBuilder("{ rsa_identity = ").Append(Str(f.RsaIdentity));
        if (f.Ed25519Identity is { } ed)
            sb.Append(", ed_identity = ").Append(Str(ed));
        sb.Append(", orports = ").Append(Array(f.OrPorts.Select(p => Str(NetworkSyntax.Format(p))))).Append(" }");
        return sb.ToString();
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Array(IEnumerable<string> items) => "[" + string.Join(", ", items) + "]";

    /// <summary>A TOML basic string: quotes, backslashes and control characters escaped.</summary>
    private static string Str(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(c))
                        sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
                    else
                        sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
