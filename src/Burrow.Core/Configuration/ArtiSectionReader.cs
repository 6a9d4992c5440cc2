using Burrow.Tor.NetDoc;

namespace Burrow.Core.Configuration;

/// <summary>[arti]: the in-process client's folders, [arti.tor_network] (<see cref="TorNetworkSectionReader"/>)
/// and [arti.path_rules].</summary>
internal static class ArtiSectionReader
{
    public static readonly string[] Keys = ["state_dir", "cache_dir", "tor_network", "path_rules", "onion"];
    public static readonly string[] OnionKeys = ["client_auth_dir", "testing_time_periods"];
    public static readonly string[] PathRulesKeys = ["ipv4_subnet_family_prefix", "ipv6_subnet_family_prefix"];

    public static ArtiSection? Read(SchemaReader r, PayloadNode node, string path)
    {
        var defaults = new ArtiSection();
        var section = r.Section(node, path, Keys);
        if (section is null)
            return null;
        var stateDir = section.Get("state_dir") is { } s ? r.ReadDirectory(s.Node, s.Path) : defaults.StateDir;
        var cacheDir = section.Get("cache_dir") is { } c ? r.ReadDirectory(c.Node, c.Path) : defaults.CacheDir;

        IReadOnlyList<DirAuthority>? authorities = defaults.Authorities;
        IReadOnlyList<FallbackDir>? fallbacks = defaults.FallbackCaches;
        if (section.Get("tor_network") is { } tn)
            (authorities, fallbacks) = TorNetworkSectionReader.Read(r, tn.Node, tn.Path);

        int? ipv4Prefix = defaults.Ipv4SubnetFamilyPrefix, ipv6Prefix = defaults.Ipv6SubnetFamilyPrefix;
        if (section.Get("path_rules") is { } pr)
        {
            var rules = r.Section(pr.Node, pr.Path, PathRulesKeys);
            if (rules is null)
            {
                ipv4Prefix = ipv6Prefix = null;
            }
            else
            {
                if (rules.Get("ipv4_subnet_family_prefix") is { } v4)
                    ipv4Prefix = r.ReadInteger(v4.Node, v4.Path, 0, 128, "an integer from 0 to 128 (0-32 group relays by that IPv4 prefix; above 32 disables the rule)");
                if (rules.Get("ipv6_subnet_family_prefix") is { } v6)
                    ipv6Prefix = r.ReadInteger(v6.Node, v6.Path, 0, 129, "an integer from 0 to 129 (0-128 group relays by that IPv6 prefix; 129 disables the rule)");
            }
        }

        string? clientAuthDir = defaults.OnionClientAuthDir;
        bool? testingPeriods = defaults.OnionTestingTimePeriods;
        var onionOk = true;
        if (section.Get("onion") is { } on)
        {
            var onion = r.Section(on.Node, on.Path, OnionKeys);
            if (onion is null)
                onionOk = false;
            else
            {
                if (onion.Get("client_auth_dir") is { } ca)
                {
                    clientAuthDir = r.ReadDirectory(ca.Node, ca.Path);
                    onionOk &= clientAuthDir is not null;
                }
                if (onion.Get("testing_time_periods") is { } tp)
                    testingPeriods = r.ReadBoolean(tp.Node, tp.Path);
            }
        }

        if (!onionOk || testingPeriods is null || stateDir is null || cacheDir is null || authorities is null || fallbacks is null || ipv4Prefix is null || ipv6Prefix is null)
            return null;
        return new ArtiSection
        {
            StateDir = stateDir,
            CacheDir = cacheDir,
            Authorities = authorities,
            FallbackCaches = fallbacks,
            Ipv4SubnetFamilyPrefix = ipv4Prefix.Value,
            Ipv6SubnetFamilyPrefix = ipv6Prefix.Value,
            OnionClientAuthDir = clientAuthDir,
            OnionTestingTimePeriods = testingPeriods.Value,
        };
    }
}
