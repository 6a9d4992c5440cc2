using Burrow.Core.Configuration;

namespace Burrow.Core.Tests.Configuration;

/// <summary>Shared payloads and helpers: a fixed base and home directory so paths are predictable.</summary>
internal static class PayloadTestSupport
{
    public const string Base = "/srv/burrow";
    public const string Home = "/home/tester";

    public const string Auth0V3 = "61F074E9F9D611D41E24850D5E5E6A0CCAD97B28";
    public const string Auth0Rsa = "68BA86063496B50C6FD2D99E825746BE89638AB6";
    public const string Auth1V3 = "5A6FFA6E431CE49FEF9DFC5AC3E25DB15E6AEC67";
    public const string Auth1Rsa = "FDB8D30587EEA64BC0EE04FDB0D8F89F7CF2B10B";
    public const string Ed = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA";

    /// <summary>auth1 as a DirAuthority line with the fingerprint in 10 groups of 4.</summary>
    public const string Auth1Line =
        "auth1 orport=18002 no-v2 v3ident=" + Auth1V3 + " 127.0.0.1:18003 FDB8 D305 87EE A64B C0EE 04FD B0D8 F89F 7CF2 B10B";

    public static PayloadContext Context => new(Base, Home);

    public static BurrowOptions Parse(string text)
        => PayloadParser.Parse(text, PayloadParser.PayloadFormat.Detect, Context);

    public static PayloadException Fail(string text)
        => Assert.Throws<PayloadException>(() => Parse(text));

    public static PayloadException Fail(System.Collections.IDictionary tree)
        => Assert.Throws<PayloadException>(() => PayloadParser.Parse(tree, Context));

    /// <summary>Every key set to a non-default value, as TOML.</summary>
    public const string FullToml = $$"""
        address = ["100.64.0.2/32", "fd00::2/128"]
        tun_name = "tor0"
        mtu = 1500

        [arti]
        state_dir = "state"
        cache_dir = "~/arti-cache"

        [arti.tor_network]
        authorities = [{ name = "auth0", v3ident = "{{Auth0V3}}" }]
        dir_authorities = ["{{Auth1Line}}"]

        [[arti.tor_network.fallback_caches]]
        rsa_identity = "{{Auth0Rsa}}"
        ed_identity = "{{Ed}}"
        orports = ["127.0.0.1:18000", "[::1]:18000"]

        [arti.path_rules]
        ipv4_subnet_family_prefix = 33
        ipv6_subnet_family_prefix = 129

        [tcp_stack]
        kind = "system"
        listen = "[::1]:9050"

        [upstream]
        kind = "socks5"
        socks5 = "127.0.0.1:9150"

        [recovery]
        pflog_fallback = true
        """;

    /// <summary><see cref="FullToml"/> as JSON.</summary>
    public const string FullJson = $$"""
        {
          "address": ["100.64.0.2/32", "fd00::2/128"],
          "tun_name": "tor0",
          "mtu": 1500,
          "arti": {
            "state_dir": "state",
            "cache_dir": "~/arti-cache",
            "tor_network": {
              "authorities": [{ "name": "auth0", "v3ident": "{{Auth0V3}}" }],
              "dir_authorities": ["{{Auth1Line}}"],
              "fallback_caches": [{
                "rsa_identity": "{{Auth0Rsa}}",
                "ed_identity": "{{Ed}}",
                "orports": ["127.0.0.1:18000", "[::1]:18000"]
              }]
            },
            "path_rules": { "ipv4_subnet_family_prefix": 33, "ipv6_subnet_family_prefix": 129 }
          },
          "tcp_stack": { "kind": "system", "listen": "[::1]:9050" },
          "upstream": { "kind": "socks5", "socks5": "127.0.0.1:9150" },
          "recovery": { "pflog_fallback": true }
        }
        """;

    /// <summary><see cref="FullToml"/> as PowerShell would hand it over: Hashtables (case-insensitive keys,
    /// written here in other cases on purpose), object[] arrays, int values.</summary>
    public static System.Collections.Hashtable FullHashtable() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["Address"] = new object[] { "100.64.0.2/32", "fd00::2/128" },
        ["TUN_NAME"] = "tor0",
        ["mtu"] = 1500,
        ["arti"] = new System.Collections.Hashtable(StringComparer.OrdinalIgnoreCase)
        {
            ["state_dir"] = "state",
            ["cache_dir"] = "~/arti-cache",
            ["tor_network"] = new System.Collections.Hashtable(StringComparer.OrdinalIgnoreCase)
            {
                // A single hashtable stands for a one-item array (PowerShell unrolls @(@{...}) easily).
                ["authorities"] = new System.Collections.Hashtable(StringComparer.OrdinalIgnoreCase) { ["name"] = "auth0", ["v3ident"] = Auth0V3 },
                ["dir_authorities"] = Auth1Line,
                ["fallback_caches"] = new object[]
                {
                    new System.Collections.Hashtable(StringComparer.OrdinalIgnoreCase)
                    {
                        ["rsa_identity"] = Auth0Rsa.ToLowerInvariant(),
                        ["ed_identity"] = Ed,
                        ["orports"] = new object[] { "127.0.0.1:18000", "[::1]:18000" },
                    },
                },
            },
            ["path_rules"] = new System.Collections.Hashtable(StringComparer.OrdinalIgnoreCase)
            {
                ["ipv4_subnet_family_prefix"] = (byte)33,
                ["ipv6_subnet_family_prefix"] = 129L,
            },
        },
        ["tcp_stack"] = new System.Collections.Hashtable(StringComparer.OrdinalIgnoreCase) { ["kind"] = "System", ["listen"] = "[::1]:9050" },
        ["upstream"] = new System.Collections.Hashtable(StringComparer.OrdinalIgnoreCase) { ["kind"] = "SOCKS5", ["socks5"] = "127.0.0.1:9150" },
        ["recovery"] = new System.Collections.Hashtable(StringComparer.OrdinalIgnoreCase) { ["pflog_fallback"] = true },
    };
}
