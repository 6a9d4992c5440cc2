using System.Collections;
using Burrow.Core.Configuration;
using static Burrow.Core.Tests.Configuration.PayloadTestSupport;

namespace Burrow.Core.Tests.Configuration;

public class PayloadParserBadPayloadTests
{
    private const string V3 = Auth0V3;
    private const string Fallback = $$"""fallback_caches = [{ rsa_identity = "{{Auth0Rsa}}", orports = ["127.0.0.1:18000"] }]""";

    /// <summary>TOML payloads with exactly one problem: the key path it must name and a fragment of the message.</summary>
    public static TheoryData<string, string, string> TomlCases => new()
    {
        // unknown keys, at every level, with suggestions for typos
        { "mttu = 1400", "mttu", "unknown key 'mttu' (did you mean 'mtu'?); known top-level keys: address, tun_name, mtu, arti, tcp_stack, upstream, recovery" },
        { "MTU = 1400", "MTU", "unknown key 'MTU' (did you mean 'mtu'?)" },
        { "[tcp_stack]\nlissten = \"127.0.0.1:9040\"", "tcp_stack.lissten", "unknown key 'tcp_stack.lissten' (did you mean 'listen'?); known keys in [tcp_stack]: kind, listen" },
        { "[arti]\nstorage = \"x\"", "arti.storage", "known keys in [arti]: state_dir, cache_dir, tor_network, path_rules" },
        { "[arti.tor_network]\nauthority = []", "arti.tor_network.authority", "(did you mean 'authorities'?); known keys in [arti.tor_network]: authorities, fallback_caches, dir_authorities" },
        { $"[arti.tor_network]\nauthorities = [{{ name = \"auth0\", v3ident = \"{V3}\", nick = \"x\" }}]\n{Fallback}", "arti.tor_network.authorities[0].nick", "known keys in each arti.tor_network.authorities entry: name, v3ident" },
        { "[arti.path_rules]\nipv4_prefix = 16", "arti.path_rules.ipv4_prefix", "known keys in [arti.path_rules]: ipv4_subnet_family_prefix, ipv6_subnet_family_prefix" },
        { "[arti.onion]\nauth_dir = \"/x\"", "arti.onion.auth_dir", "known keys in [arti.onion]: client_auth_dir, testing_time_periods" },
        { "[arti.onion]\ntesting_time_periods = 1", "arti.onion.testing_time_periods", "expected a boolean" },
        { "[upstream]\nsocks = \"127.0.0.1:9050\"", "upstream.socks", "unknown key 'upstream.socks' (did you mean 'socks5'?)" },
        { "[recovery]\npflog = true", "recovery.pflog", "known keys in [recovery]: pflog_fallback" },
        { "[tun]\nname = \"x\"", "tun", "unknown key 'tun'; known top-level keys" },

        // wrong types name what was found and what was expected
        { "mtu = \"1400\"", "mtu", "mtu: expected an integer, found a string ('1400'); accepted: an integer from 576 to 65535" },
        { "mtu = 1400.5", "mtu", "expected an integer, found a float (1400.5)" },
        { "mtu = 1979-05-27", "mtu", "expected an integer, found a date-time" },
        { "tun_name = 5", "tun_name", "tun_name: expected a string, found an integer (5)" },
        { "tcp_stack = \"system\"", "tcp_stack", "tcp_stack: expected a table, found a string ('system'); accepted: a table with keys kind, listen" },
        { "[recovery]\npflog_fallback = \"yes\"", "recovery.pflog_fallback", "expected a boolean, found a string ('yes'); accepted: true or false" },
        { "address = 100", "address", "expected a CIDR string or an array of them, found an integer (100)" },
        { "address = [\"100.64.0.2/32\", 7]", "address[1]", "expected a CIDR string, found an integer (7)" },

        // addresses
        { "address = [\"100.64.0.300/32\"]", "address[0]", "'100.64.0.300/32' is not a valid CIDR address" },
        { "address = \"10.0.0.1/33\"", "address", "'10.0.0.1/33' is not a valid CIDR address" },
        { "address = \"127.1/32\"", "address", "is not a valid CIDR address" },
        { "address = \"fe80::1%eth0/64\"", "address", "is not a valid CIDR address" },
        { "address = \"100.64.0.2/24\"", "address", "'100.64.0.2/24' has bits set after its prefix length" },
        { "address = []", "address", "address: must list at least one address" },
        { "address = [\"10.0.0.1/32\", \"10.0.0.1/32\"]", "address[1]", "is listed twice" },

        // numbers out of range, both ends
        { "mtu = 70000", "mtu", "mtu: 70000 is out of range; accepted: an integer from 576 to 65535" },
        { "mtu = 575", "mtu", "mtu: 575 is out of range" },
        { "mtu = -1", "mtu", "mtu: -1 is out of range" },
        { "address = \"fd00::2/128\"\nmtu = 1000", "mtu", "1000 is below 1280, the IPv6 minimum" },
        { "[arti.path_rules]\nipv4_subnet_family_prefix = 129", "arti.path_rules.ipv4_subnet_family_prefix", "129 is out of range; accepted: an integer from 0 to 128" },
        { "[arti.path_rules]\nipv6_subnet_family_prefix = -1", "arti.path_rules.ipv6_subnet_family_prefix", "-1 is out of range; accepted: an integer from 0 to 129" },

        // interface name
        { "tun_name = \"this-name-is-too-long\"", "tun_name", "'this-name-is-too-long' is not a valid interface name; accepted: 1 to 15 characters" },
        { "tun_name = \"tor 0\"", "tun_name", "is not a valid interface name" },
        { "tun_name = \"\"", "tun_name", "is not a valid interface name" },

        // tcp_stack
        { "[tcp_stack]\nkind = \"lwip\"", "tcp_stack.kind", "tcp_stack.kind: 'lwip' is not supported; supported kinds: system" },
        { "[tcp_stack]\nlisten = \"127.0.0.1:99999\"", "tcp_stack.listen", "tcp_stack.listen: '127.0.0.1:99999' is not a valid address; accepted: IP:port or [IPv6]:port with port 1-65535" },
        { "[tcp_stack]\nlisten = \"127.0.0.1:0\"", "tcp_stack.listen", "'127.0.0.1:0' is not a valid address" },
        { "[tcp_stack]\nlisten = \"127.0.0.1:65536\"", "tcp_stack.listen", "'127.0.0.1:65536' is not a valid address" },
        { "[tcp_stack]\nlisten = \"localhost:9040\"", "tcp_stack.listen", "'localhost:9040' is not a valid address" },
        { "[tcp_stack]\nlisten = \"::1:9040\"", "tcp_stack.listen", "'::1:9040' is not a valid address" },
        { "[tcp_stack]\nlisten = \"127.0.0.1\"", "tcp_stack.listen", "'127.0.0.1' is not a valid address" },

        // directories
        { "[arti]\nstate_dir = \"\"", "arti.state_dir", "arti.state_dir: must be a non-empty string" },
        { "[arti]\ncache_dir = \"   \"", "arti.cache_dir", "arti.cache_dir: must be a non-empty string" },
        { "[arti]\nstate_dir = 5", "arti.state_dir", "arti.state_dir: must be a non-empty string; found an integer (5)" },
        { "[arti]\nstate_dir = \"~bob/arti\"", "arti.state_dir", "only the current user's home (~ or ~/path) is expanded" },

        // authorities and fallback caches
        { $"[arti.tor_network]\nauthorities = [{{ name = \"auth0\", v3ident = \"{V3[..39]}\" }}]\n{Fallback}", "arti.tor_network.authorities[0].v3ident", "is not a valid fingerprint; accepted: 40 hexadecimal digits" },
        { $"[arti.tor_network]\nauthorities = [{{ name = \"auth0\", v3ident = \"{V3[..39]}G\" }}]\n{Fallback}", "arti.tor_network.authorities[0].v3ident", "is not a valid fingerprint" },
        { $"[arti.tor_network]\nauthorities = [{{ name = \"auth0\" }}]\n{Fallback}", "arti.tor_network.authorities[0].v3ident", "arti.tor_network.authorities[0].v3ident: is missing; accepted: 40 hexadecimal digits" },
        { $"[arti.tor_network]\nauthorities = [{{ name = \"auth-0\", v3ident = \"{V3}\" }}]\n{Fallback}", "arti.tor_network.authorities[0].name", "'auth-0' is not a valid nickname; accepted: a nickname of 1 to 19 letters and digits" },
        { "[arti.tor_network]\nauthorities = \"auth0\"", "arti.tor_network.authorities", "expected a table, found a string ('auth0')" },
        { $"[arti.tor_network]\nauthorities = [{{ name = \"auth0\", v3ident = \"{V3}\" }}]", "arti.tor_network.fallback_caches", "authorities are given but no fallback cache to bootstrap from" },
        { $"[arti.tor_network]\nfallback_caches = [{{ rsa_identity = \"{Auth0Rsa}\", orports = [] }}]", "arti.tor_network.fallback_caches[0].orports", "must list at least one ORPort" },
        { $"[arti.tor_network]\nfallback_caches = [{{ rsa_identity = \"{Auth0Rsa}\", orports = [\"127.0.0.1\"] }}]", "arti.tor_network.fallback_caches[0].orports[0]", "'127.0.0.1' is not a valid address; accepted: IP:port or [IPv6]:port" },
        { "[arti.tor_network]\nfallback_caches = [{ orports = [\"127.0.0.1:5000\"] }]", "arti.tor_network.fallback_caches[0].rsa_identity", "is missing" },
        { $"[arti.tor_network]\nfallback_caches = [{{ rsa_identity = \"{Auth0Rsa}\", ed_identity = \"{Ed[..42]}\", orports = [\"127.0.0.1:5000\"] }}]", "arti.tor_network.fallback_caches[0].ed_identity", "is not a valid Ed25519 identity; accepted: an Ed25519 identity as 43 base64 characters" },

        // DirAuthority lines
        { $"[arti.tor_network]\ndir_authorities = [\"auth0 orport=18000 127.0.0.1:18001 {Auth0Rsa}\"]", "arti.tor_network.dir_authorities[0]", "v3ident=HEX40 is missing" },
        { $"[arti.tor_network]\ndir_authorities = [\"auth0 v3ident={V3} 127.0.0.1:18001 {Auth0Rsa}\"]", "arti.tor_network.dir_authorities[0]", "orport=PORT is missing" },
        { $"[arti.tor_network]\ndir_authorities = [\"auth0 orport=18000 v3ident={V3} 127.0.0.1:18001 {Auth0Rsa[..39]}\"]", "arti.tor_network.dir_authorities[0]", "is not 40 hex digits (or 10 groups of 4)" },
        { $"[arti.tor_network]\ndir_authorities = [\"auth0 orport=18000 v3ident={V3} 127.0.0.1:18001\"]", "arti.tor_network.dir_authorities[0]", "the identity fingerprint is missing" },
        { $"[arti.tor_network]\ndir_authorities = [\"auth0 orport=18000 fast v3ident={V3} 127.0.0.1:18001 {Auth0Rsa}\"]", "arti.tor_network.dir_authorities[0]", "'fast' is neither a known flag nor IPV4:DIRPORT" },
        { $"[arti.tor_network]\ndir_authorities = [\"auth0 orport=99999 v3ident={V3} 127.0.0.1:18001 {Auth0Rsa}\"]", "arti.tor_network.dir_authorities[0]", "orport '99999' is not a port 1-65535" },
        { $"[arti.tor_network]\ndir_authorities = [\"orport=18000 v3ident={V3} 127.0.0.1:18001 {Auth0Rsa}\"]", "arti.tor_network.dir_authorities[0]", "does not start with the authority's nickname" },
        { "[arti.tor_network]\ndir_authorities = 5", "arti.tor_network.dir_authorities", "expected a string or an array of strings, found an integer (5)" },
        { $"[arti.tor_network]\nauthorities = [{{ name = \"auth0\", v3ident = \"{V3}\" }}]\n{Fallback}\ndir_authorities = [\"auth0 orport=18000 v3ident={V3} 127.0.0.1:18001 {Auth1Rsa}\"]", "arti.tor_network.dir_authorities[0]", $"the identity {V3} is also given at arti.tor_network.authorities[0].v3ident" },

        // upstream
        { "[upstream]\nkind = \"tor\"", "upstream.kind", "upstream.kind: 'tor' is not supported; supported kinds: in_process, socks5" },
        { "[upstream]\nkind = \"socks5\"", "upstream.socks5", "upstream.socks5: is missing; accepted: the SocksPort as IP:port" },
        { "[upstream]\nsocks5 = \"127.0.0.1:9050\"", "upstream.socks5", "is only used when upstream.kind is \"socks5\" (it is \"in_process\", the default)" },
        { "[upstream]\nkind = \"in_process\"\nsocks5 = \"127.0.0.1:9050\"", "upstream.socks5", "is only used when upstream.kind is \"socks5\" (it is \"in_process\")" },
        { "[upstream]\nkind = \"socks5\"\nsocks5 = \"127.0.0.1:0\"", "upstream.socks5", "'127.0.0.1:0' is not a valid address" },

        // recovery
        { "[tcp_stack]\nlisten = \"0.0.0.0:9040\"\n[recovery]\npflog_fallback = true", "recovery.pflog_fallback", "needs an explicit tcp_stack.listen address, not 0.0.0.0:9040" },
    };

    [Theory]
    [MemberData(nameof(TomlCases))]
    public void BadTomlPayloadNamesKeyPathAndProblem(string payload, string keyPath, string fragment)
    {
        var e = Fail(payload);
        Assert.Single(e.Errors);
        Assert.Equal(keyPath, e.KeyPath);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        // Every schema error in a text payload points at a line.
        Assert.NotNull(e.Line);
        Assert.NotNull(e.Column);
    }

    public static TheoryData<string, string, string> JsonCases => new()
    {
        { """{ "mtu": null }""", "mtu", "mtu: expected an integer, found null" },
        { """{ "mtu": 99999999999999999999 }""", "mtu", "mtu: 99999999999999999999 is out of range" },
        { """{ "mtu": 1400.0 }""", "mtu", "expected an integer, found a float (1400.0)" },
        { """{ "tcp_stack": { "kind": "lwip" } }""", "tcp_stack.kind", "tcp_stack.kind: 'lwip' is not supported; supported kinds: system" },
        { """{ "tcp_stack": { "Kind": "system" } }""", "tcp_stack.Kind", "unknown key 'tcp_stack.Kind' (did you mean 'kind'?)" },
        { """{ "address": [["10.0.0.1/32"]] }""", "address[0]", "expected a CIDR string, found an array" },
        { """{ "arti": [] }""", "arti", "arti: expected a table, found an array" },
        { """{ "recovery": { "pflog_fallback": 1 } }""", "recovery.pflog_fallback", "expected a boolean, found an integer (1)" },
    };

    [Theory]
    [MemberData(nameof(JsonCases))]
    public void BadJsonPayloadNamesKeyPathAndProblem(string payload, string keyPath, string fragment)
    {
        var e = Fail(payload);
        Assert.Single(e.Errors);
        Assert.Equal(keyPath, e.KeyPath);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }

    /// <summary>Syntax errors: no key path, the parser's line and column (1-based).</summary>
    public static TheoryData<string, string, int, int> SyntaxCases => new()
    {
        // JSON: 'tor' is not a value; the reader stops at its first byte.
        { "{\n  \"mtu\": 1400,\n  \"tun_name\": tor\n}", "invalid JSON: 'tor\\u000a}' is an invalid JSON literal", 3, 16 },
        { "{\n  \"mtu\": 1400\n", "invalid JSON:", 3, 1 },
        { "{ \"mtu\": 1400, \"mtu\": 1500 }", "invalid JSON: the key 'mtu' appears twice", 1, 16 },
        { "{ } x", "invalid JSON:", 1, 5 },
        // TOML (detected): the message says both were tried.
        { "mtu = 1400\ntun_name = \n", "the payload is neither JSON (it does not start with '{') nor valid TOML: Unexpected token end-of-line found while expecting a value", 2, 12 },
        { "mtu: 1400", "the payload is neither JSON (it does not start with '{') nor valid TOML:", 1, 4 },
        { "mtu = 1400\nmtu = 1500", "nor valid TOML: The key `mtu` is already defined", 2, 1 },
        { "[tcp_stack]\nkind = \"system\"\n[tcp_stack]\n", "nor valid TOML: The key `tcp_stack` is already defined", 3, 1 },
    };

    [Theory]
    [MemberData(nameof(SyntaxCases))]
    public void SyntaxErrorCarriesLineAndColumn(string payload, string fragment, int line, int column)
    {
        var e = Fail(payload);
        Assert.Equal("", e.KeyPath);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.Equal(line, e.Line);
        Assert.Equal(column, e.Column);
        Assert.Contains($"line {line}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[")]
    [InlineData("a = {b={c={d={e={f={g={h={i={j={k={l={m={n={o={p={q={r={s={t={u={v={w={x={y={z={a={b={c={d={e={f={g={h={i={j={k={l=1}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}")]
    [InlineData("[a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z]")]
    [InlineData("{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}")]
    public void DeepNestingIsRefused(string payload)
    {
        var e = Fail(payload);
        Assert.Equal("", e.KeyPath);
        Assert.Contains("nested deeper than 32 levels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SchemaErrorsInTextPointAtTheKeyOrValue()
    {
        var toml = Fail("mtu = 1400\n\n[tcp_stack]\nkind = \"lwip\"\n");
        Assert.Equal((4, 1), (toml.Line, toml.Column));
        Assert.EndsWith("(line 4, column 1)", toml.Message, StringComparison.Ordinal);

        var json = Fail("{\n  \"tcp_stack\": {\n    \"kind\": \"lwip\"\n  }\n}");
        Assert.Equal((3, 13), (json.Line, json.Column));

        var unknown = Fail("{\n  \"mtu\": 1400,\n  \"mttu\": 1\n}");
        Assert.Equal((3, 3), (unknown.Line, unknown.Column));
    }

    [Fact]
    public void JsonColumnsCountCharactersNotBytes()
    {
        // "é" is two UTF-8 bytes; the column of the bad value is still counted in characters.
        var e = Fail("{ \"tun_name\": \"é\", \"mtu\": x }");
        Assert.Equal(1, e.Line);
        Assert.Equal(27, e.Column);
    }

    [Fact]
    public void AllProblemsAreReportedTogetherInSchemaOrder()
    {
        var e = Fail("mtu = 70000\n[tcp_stack]\nkind = \"lwip\"\nlissten = \"x\"\n[upstream]\nkind = \"tor\"\n");
        Assert.Equal(["mtu", "tcp_stack.lissten", "tcp_stack.kind", "upstream.kind"], e.Errors.Select(x => x.KeyPath));
        Assert.Equal("mtu", e.KeyPath);
        Assert.StartsWith("4 problems in the payload:\n  - mtu: 70000 is out of range", e.Message, StringComparison.Ordinal);
        Assert.Contains("\n  - upstream.kind: 'tor' is not supported; supported kinds: in_process, socks5 (line 6, column 1)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NumberOfReportedProblemsIsBounded()
    {
        var payload = string.Join('\n', Enumerable.Range(0, 100).Select(i => $"unknown{i} = 1"));
        var e = Fail(payload);
        Assert.Equal(PayloadValidator.MaxErrors, e.Errors.Count);
    }

    [Fact]
    public void OversizedPayloadIsRefusedBeforeParsing()
    {
        var e = Fail("# " + new string('x', PayloadParser.MaxPayloadLength));
        Assert.Contains("accepted: at most", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<Func<IDictionary>, string, string> DictionaryCases => new()
    {
        { () => new Hashtable { ["MTU"] = 70000 }, "mtu", "mtu: 70000 is out of range; accepted: an integer from 576 to 65535" },
        { () => new Hashtable { ["tcp_stack"] = new Hashtable { ["Lissten"] = "x" } }, "tcp_stack.Lissten", "unknown key 'tcp_stack.Lissten' (did you mean 'listen'?); known keys in [tcp_stack]: kind, listen" },
        { () => new Dictionary<string, object> { ["mtu"] = 1400, ["MTU"] = 1500 }, "mtu", "differ only in case" },
        { () => new Hashtable { [5] = "x" }, "", "keys must be strings; found a key of type System.Int32" },
        { () => new Hashtable { ["tun_name"] = Guid.Empty }, "tun_name", "expected a string, found a value of type System.Guid" },
        { () => new Hashtable { ["address"] = new object[] { "10.0.0.1/32", 5 } }, "address[1]", "expected a CIDR string, found an integer (5)" },
        { () => new Hashtable { ["mtu"] = 1400.5m }, "mtu", "expected an integer, found a float (1400.5)" },
        { () => new Hashtable { ["mtu"] = ulong.MaxValue }, "mtu", "18446744073709551615 is out of range" },
        { () => new Hashtable { ["upstream"] = new Hashtable { ["kind"] = "socks5", ["socks5"] = null } }, "upstream.socks5", "expected a string, found null" },
        { () => new Hashtable { ["arti"] = new Hashtable { ["state_dir"] = "" } }, "arti.state_dir", "arti.state_dir: must be a non-empty string" },
        { () => SelfContaining(), "arti", "arti: this hashtable contains itself: it is the same object as the payload's top level; a payload is a tree" },
        { () => InnerSelfContaining(), "arti.tor_network", "arti.tor_network: this hashtable contains itself: it is the same object as 'arti'" },
        { () => Deep(40), "", "nested deeper than 32 levels" },
    };

    [Theory]
    [MemberData(nameof(DictionaryCases))]
    public void BadHashtableNamesKeyPathAndProblem(Func<IDictionary> tree, string keyPath, string fragment)
    {
        var e = Fail(tree());
        Assert.StartsWith(keyPath, e.KeyPath, StringComparison.Ordinal);
        if (keyPath.Length > 0)
            Assert.Equal(keyPath, e.KeyPath);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.Null(e.Line);
    }

    [Fact]
    public void SelfContainingHashtableIsReportedOnceNotAlongTheCycle()
    {
        var e = Fail(SelfContaining());
        Assert.Single(e.Errors);
        Assert.DoesNotContain("arti.arti", e.Message, StringComparison.Ordinal);
    }

    private static Hashtable InnerSelfContaining()
    {
        var arti = new Hashtable();
        arti["tor_network"] = arti;
        return new Hashtable { ["arti"] = arti };
    }

    private static Hashtable Deep(int levels)
    {
        var root = new Hashtable();
        var h = root;
        for (var i = 0; i < levels; i++)
        {
            var next = new Hashtable();
            h["x"] = next;
            h = next;
        }
        return root;
    }

    private static Hashtable SelfContaining()
    {
        var h = new Hashtable();
        h["arti"] = h;
        return h;
    }
}
