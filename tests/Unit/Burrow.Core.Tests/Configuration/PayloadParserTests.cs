using System.Collections;
using System.Net;
using Burrow.Core.Configuration;
using Burrow.Tests;
using static Burrow.Core.Tests.Configuration.PayloadTestSupport;

namespace Burrow.Core.Tests.Configuration;

public sealed class PayloadParserTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("burrow-payload-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void FullTomlPayloadGivesEveryValue()
    {
        var o = Parse(FullToml);

        Assert.Equal([IPNetwork.Parse("100.64.0.2/32"), IPNetwork.Parse("fd00::2/128")], o.Address);
        Assert.Equal("tor0", o.TunName);
        Assert.Equal(1500, o.Mtu);
        Assert.Equal("/srv/burrow/state", o.Arti.StateDir);
        Assert.Equal("/home/tester/arti-cache", o.Arti.CacheDir);
        Assert.Equal(33, o.Arti.Ipv4SubnetFamilyPrefix);
        Assert.Equal(129, o.Arti.Ipv6SubnetFamilyPrefix);

        // Explicit authorities come first, then those of the DirAuthority lines.
        Assert.Equal([new("auth0", Auth0V3), new("auth1", Auth1V3)], o.Arti.Authorities);
        Assert.Equal(2, o.Arti.FallbackCaches.Count);
        var explicitCache = o.Arti.FallbackCaches[0];
        Assert.Equal(Auth0Rsa, explicitCache.RsaIdentity);
        Assert.Equal(Ed, explicitCache.Ed25519Identity);
        Assert.Equal([IPEndPoint.Parse("127.0.0.1:18000"), IPEndPoint.Parse("[::1]:18000")], explicitCache.OrPorts);
        var lineCache = o.Arti.FallbackCaches[1];
        Assert.Equal(Auth1Rsa, lineCache.RsaIdentity);
        Assert.Null(lineCache.Ed25519Identity);
        Assert.Equal([IPEndPoint.Parse("127.0.0.1:18002")], lineCache.OrPorts);

        Assert.Equal(TcpStackKind.System, o.TcpStack.Kind);
        Assert.Equal(IPEndPoint.Parse("[::1]:9050"), o.TcpStack.Listen);
        Assert.Equal(UpstreamKind.Socks5, o.Upstream.Kind);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:9150"), o.Upstream.Socks5Address);
        Assert.True(o.Recovery.PflogFallback);
    }

    [Fact]
    public void JsonTomlAndHashtableFormsGiveIdenticalOptions()
    {
        var toml = Parse(FullToml);
        var json = Parse(FullJson);
        var table = PayloadParser.Parse(FullHashtable(), Context);

        // The TOML rendering covers every option, so equal renderings mean equal options.
        Assert.Equal(toml.ToString(), json.ToString());
        Assert.Equal(toml.ToString(), table.ToString());
        Assert.NotEqual(new BurrowOptions().ToString(), toml.ToString());
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("  \n{ }\n")]
    [InlineData("")]
    [InlineData("# only a comment\n\n")]
    [InlineData("\uFEFF")]
    public void EmptyPayloadGivesTheDefaults(string payload)
    {
        var o = Parse(payload);
        AssertDefaults(o);
    }

    [Fact]
    public void EmptyHashtableGivesTheDefaults() => AssertDefaults(PayloadParser.Parse(new Hashtable(), Context));

    private static void AssertDefaults(BurrowOptions o)
    {
        Assert.Equal([IPNetwork.Parse("100.64.0.2/32")], o.Address);
        Assert.Equal("burrow-tor", o.TunName);
        Assert.Equal(1400, o.Mtu);
        Assert.Equal("/var/lib/burrow/arti/state", o.Arti.StateDir);
        Assert.Equal("/var/cache/burrow/arti", o.Arti.CacheDir);
        Assert.Empty(o.Arti.Authorities);
        Assert.Empty(o.Arti.FallbackCaches);
        Assert.Equal(16, o.Arti.Ipv4SubnetFamilyPrefix);
        Assert.Equal(32, o.Arti.Ipv6SubnetFamilyPrefix);
        Assert.Equal(TcpStackKind.System, o.TcpStack.Kind);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:9040"), o.TcpStack.Listen);
        Assert.Equal(UpstreamKind.InProcess, o.Upstream.Kind);
        Assert.Null(o.Upstream.Socks5Address);
        Assert.False(o.Recovery.PflogFallback);
        Assert.Equal(new BurrowOptions().ToString(), o.ToString());
    }

    [Fact]
    public void TestnetDirAuthorityLinesBecomeAuthoritiesAndFallbackCaches()
    {
        var lines = File.ReadAllLines(TestPaths.Tor("private-network", "dirauthorities.conf"))
            .Where(l => l.StartsWith("DirAuthority ", StringComparison.Ordinal))
            .ToArray();
        Assert.Equal(3, lines.Length);

        var o = PayloadParser.Parse(new Hashtable
        {
            ["arti"] = new Hashtable { ["tor_network"] = new Hashtable { ["dir_authorities"] = lines } },
        }, Context);

        Assert.Equal(
            [
                new("auth0", "61F074E9F9D611D41E24850D5E5E6A0CCAD97B28"),
                new("auth1", "5A6FFA6E431CE49FEF9DFC5AC3E25DB15E6AEC67"),
                new("auth2", "D79AB4A34EC677D874BA5DF0A9B1D7BE7CC79FB9"),
            ],
            o.Arti.Authorities);
        Assert.Equal(
            ["68BA86063496B50C6FD2D99E825746BE89638AB6", "FDB8D30587EEA64BC0EE04FDB0D8F89F7CF2B10B", "79920F5F44A6A9477B4961C00A0242D31B7ABE1D"],
            o.Arti.FallbackCaches.Select(f => f.RsaIdentity));
        // The fallback is the authority's ORPort (orport=), at the address of the DirPort.
        Assert.Equal(
            [IPEndPoint.Parse("127.0.0.1:18000"), IPEndPoint.Parse("127.0.0.1:18002"), IPEndPoint.Parse("127.0.0.1:18004")],
            o.Arti.FallbackCaches.Select(f => Assert.Single(f.OrPorts)));
    }

    [Fact]
    public void RelativePathsResolveAgainstTheBaseDirectory()
    {
        var o = Parse("[arti]\nstate_dir = \"state\"\ncache_dir = \"../cache/./arti\"");
        Assert.Equal("/srv/burrow/state", o.Arti.StateDir);
        Assert.Equal("/srv/cache/arti", o.Arti.CacheDir);
    }

    [Fact]
    public void AbsoluteAndHomePathsAreKeptAndExpanded()
    {
        var o = Parse("[arti]\nstate_dir = \"/var/lib/x\"\ncache_dir = \"~\"");
        Assert.Equal("/var/lib/x", o.Arti.StateDir);
        Assert.Equal("/home/tester", o.Arti.CacheDir);
    }

    [Fact]
    public void HomePathWithoutAKnownHomeIsAnError()
    {
        var e = Assert.Throws<PayloadException>(() =>
            PayloadParser.Parse("[arti]\nstate_dir = \"~/x\"", PayloadParser.PayloadFormat.Detect, new PayloadContext(Base, null)));
        Assert.Equal("arti.state_dir", e.KeyPath);
        Assert.Contains("the home directory is unknown", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PublicStringOverloadResolvesAgainstTheGivenDirectory()
    {
        var o = PayloadParser.Parse("{ \"arti\": { \"state_dir\": \"s\" } }", _dir.FullName);
        Assert.Equal(Path.Combine(_dir.FullName, "s"), o.Arti.StateDir);
        Assert.Throws<ArgumentException>(() => PayloadParser.Parse("", "relative/dir"));
    }

    [Theory]
    [InlineData("burrow.toml", "mtu = 1280\n[arti]\nstate_dir = \"st\"")]
    [InlineData("burrow.json", "{ \"mtu\": 1280, \"arti\": { \"state_dir\": \"st\" } }")]
    [InlineData("burrow.conf", "mtu = 1280\n[arti]\nstate_dir = \"st\"")]
    [InlineData("burrow.payload", "\n  { \"mtu\": 1280, \"arti\": { \"state_dir\": \"st\" } }")]
    public void FilePayloadFormatFollowsExtensionAndPathsResolveAgainstItsFolder(string name, string content)
    {
        var sub = _dir.CreateSubdirectory("net");
        var path = Path.Combine(sub.FullName, name);
        File.WriteAllText(path, content);

        var o = PayloadParser.ParseFile(path);

        Assert.Equal(1280, o.Mtu);
        Assert.Equal(Path.Combine(sub.FullName, "st"), o.Arti.StateDir);
    }

    [Fact]
    public void TomlFileWithJsonContentIsReportedAsToml()
    {
        var path = Path.Combine(_dir.FullName, "burrow.toml");
        File.WriteAllText(path, "{ \"mtu\": 1280 }");
        var e = Assert.Throws<PayloadException>(() => PayloadParser.ParseFile(path));
        Assert.StartsWith("invalid TOML: ", e.Errors[0].Description, StringComparison.Ordinal);
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public void JsonFileWithTomlContentIsReportedAsJson()
    {
        var path = Path.Combine(_dir.FullName, "burrow.json");
        File.WriteAllText(path, "mtu = 1280");
        var e = Assert.Throws<PayloadException>(() => PayloadParser.ParseFile(path));
        Assert.StartsWith("invalid JSON: ", e.Errors[0].Description, StringComparison.Ordinal);
        Assert.Equal((1, 1), (e.Line, e.Column));
    }

    [Fact]
    public void FileErrorsNameTheFileLineAndColumn()
    {
        var path = Path.Combine(_dir.FullName, "bad.toml");
        File.WriteAllText(path, "# network\nmtu = 70000\n");
        var e = Assert.Throws<PayloadException>(() => PayloadParser.ParseFile(path));
        Assert.Equal("mtu", e.KeyPath);
        Assert.Equal(path, e.Errors[0].SourceName);
        Assert.Equal($"mtu: 70000 is out of range; accepted: an integer from 576 to 65535 ({path}, line 2, column 1)", e.Message);
    }

    [Fact]
    public void MissingOrOversizedFileIsAPayloadError()
    {
        var missing = Path.Combine(_dir.FullName, "none.toml");
        var e = Assert.Throws<PayloadException>(() => PayloadParser.ParseFile(missing));
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);

        var big = Path.Combine(_dir.FullName, "big.toml");
        File.WriteAllText(big, "# " + new string('x', PayloadParser.MaxPayloadLength));
        e = Assert.Throws<PayloadException>(() => PayloadParser.ParseFile(big));
        Assert.Contains("accepted: at most", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<PayloadException>(() => PayloadParser.ParseFile(_dir.FullName));
        Assert.Contains("cannot read the payload file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SingleValuesStandForOneItemLists()
    {
        var o = Parse($$"""
            address = "fd00::2/128"
            [arti.tor_network]
            authorities = { name = "auth0", v3ident = "{{Auth0V3}}" }
            fallback_caches = { rsa_identity = "{{Auth0Rsa}}", orports = "[::1]:5000" }
            """);
        Assert.Equal([IPNetwork.Parse("fd00::2/128")], o.Address);
        Assert.Single(o.Arti.Authorities);
        Assert.Equal([IPEndPoint.Parse("[::1]:5000")], Assert.Single(o.Arti.FallbackCaches).OrPorts);
    }

    [Fact]
    public void BareAddressIsASingleHostNetwork()
    {
        var o = Parse("address = [\"100.64.0.9\", \"fd00::9\", \"10.0.0.0/8\"]");
        Assert.Equal([IPNetwork.Parse("100.64.0.9/32"), IPNetwork.Parse("fd00::9/128"), IPNetwork.Parse("10.0.0.0/8")], o.Address);
    }

    [Fact]
    public void FallbackCachesAloneAreAcceptedForThePublicNetwork()
    {
        var o = Parse($$"""
            [arti.tor_network]
            fallback_caches = [{ rsa_identity = "{{Auth0Rsa}}", ed_identity = "{{Ed}}=", orports = ["127.0.0.1:9001"] }]
            """);
        Assert.Empty(o.Arti.Authorities);
        // A padded Ed25519 identity is accepted and stored unpadded.
        Assert.Equal(Ed, Assert.Single(o.Arti.FallbackCaches).Ed25519Identity);
    }

    [Fact]
    public void HashtableValuesAreUnwrappedFirst()
    {
        // A cmdlet passes PSObject.BaseObject; Boxed stands for PSObject here.
        var tree = new Hashtable
        {
            ["mtu"] = new Boxed(1300),
            ["address"] = new Boxed(new object[] { new Boxed("10.1.0.2/32") }),
            [new Boxed("tun_name")] = "tor9",
        };
        var o = PayloadParser.Parse(tree, Context, v => v is Boxed b ? b.Value : v);
        Assert.Equal(1300, o.Mtu);
        Assert.Equal("tor9", o.TunName);
        Assert.Equal([IPNetwork.Parse("10.1.0.2/32")], o.Address);
    }

    private sealed record Boxed(object Value);

    [Fact]
    public void OrderedAndGenericDictionariesAreAccepted()
    {
        var ordered = new System.Collections.Specialized.OrderedDictionary { ["mtu"] = 1300, ["tcp_stack"] = new Dictionary<string, object?> { ["listen"] = "127.0.0.1:9041" } };
        var o = PayloadParser.Parse(ordered, Context);
        Assert.Equal(1300, o.Mtu);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:9041"), o.TcpStack.Listen);
    }

    [Fact]
    public void NeverAnotherExceptionTypeForGarbage()
    {
        // A handful of hostile shapes: each must be a PayloadException, nothing else.
        string[] garbage =
        [
            "{", "}", "[", "{\"a\":", "\"", "= =", "[[]]", "a.b.c.d.e = 1", "{\"arti\": {\"tor_network\": {\"authorities\": [1, null, {}]}}}",
            "[arti.tor_network]\nauthorities = [[]]\nfallback_caches = [\"x\"]\ndir_authorities = [\"\", \"DirAuthority\", \"a b c\"]",
            "address = [\"\", \"/\", \"1.2.3.4/\", \"1.2.3.4/01\", \"::/129\", \"[::1]/128\"]",
            "[tcp_stack]\nlisten = \"[::1\"\n[upstream]\nkind = \"socks5\"\nsocks5 = \"[]:1\"",
            "{\"a\": " + string.Concat(Enumerable.Repeat("[", 200)),
            "\0\0\0", "\uFFFF", "mtu = 0x7fffffffffffffff",
            // Found by mutating the full payload: Tomlyn throws ArgumentOutOfRangeException on it.
            "state_dir = ]state\"\npflog_fallback = tru\\",
        ];
        foreach (var g in garbage)
        {
            var e = Record.Exception(() => Parse(g));
            Assert.True(e is PayloadException, $"payload {g[..Math.Min(g.Length, 40)]}: {e?.GetType().Name ?? "no exception"}: {e?.Message}");
        }
    }
}
