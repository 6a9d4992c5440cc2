using System.Net;
using Burrow.Core.Configuration;
using Burrow.Core.Redirect;
using Burrow.Core.Upstreams;
using static Burrow.Core.Tests.Configuration.PayloadTestSupport;

namespace Burrow.Core.Tests.Configuration;

/// <summary>[redirect], [dns] and the root key isolate: every key, good and bad.</summary>
public class PayloadRedirectDnsTests
{
    [Fact]
    public void DefaultsInstallNothingAndIsolateByClientAndDestination()
    {
        var o = Parse("");
        Assert.False(o.Redirect.Install);
        Assert.Equal(RedirectScope.Host, o.Redirect.Scope);
        Assert.Empty(o.Redirect.Sources);
        Assert.Empty(o.Redirect.Exclude);
        Assert.True(o.Redirect.Ipv6);
        Assert.False(o.Redirect.FailClosed);
        Assert.Equal(0x4252u, o.Redirect.Mark);
        Assert.Empty(o.Redirect.ExemptUsers);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:9053"), o.Dns.Listen);
        Assert.False(o.Dns.Enable);
        Assert.Equal([".onion"], o.Dns.AutomapSuffixes);
        Assert.Equal(IPNetwork.Parse("10.192.0.0/10"), o.Dns.VirtualNetworkV4);
        Assert.Equal(IPNetwork.Parse("fd62:7572:726f:77::/64"), o.Dns.VirtualNetworkV6);
        Assert.Equal([IsolationField.ClientAddress, IsolationField.DestinationAddress], o.Isolate.Fields);
        Assert.False(o.DnsListenerEnabled);
    }

    [Fact]
    public void InstallAloneTurnsOnFailClosedAndTheDnsListener()
    {
        var o = Parse("[redirect]\ninstall = true");
        Assert.True(o.Redirect.Install);
        Assert.True(o.Redirect.FailClosed);
        Assert.True(o.DnsListenerEnabled);
    }

    [Fact]
    public void EveryKeyIsRead()
    {
        var o = Parse("""
            isolate = ["client_address", "destination_port"]
            [tcp_stack]
            listen = "0.0.0.0:9040"
            [redirect]
            install = true
            scope = "gateway"
            sources = ["10.0.3.0/24", "fd00:3::/64"]
            exclude = "192.168.0.0/16"
            ipv6 = true
            fail_closed = false
            mark = 0x1234
            [dns]
            listen = "0.0.0.0:5353"
            enable = true
            automap_suffixes = [".", ".onion"]
            virtual_network_v4 = "10.64.0.0/12"
            virtual_network_v6 = "fd00:77::/64"
            """);
        Assert.Equal(RedirectScope.Gateway, o.Redirect.Scope);
        Assert.Equal([IPNetwork.Parse("10.0.3.0/24"), IPNetwork.Parse("fd00:3::/64")], o.Redirect.Sources);
        Assert.Equal([IPNetwork.Parse("192.168.0.0/16")], o.Redirect.Exclude);
        Assert.False(o.Redirect.FailClosed);
        Assert.Equal(0x1234u, o.Redirect.Mark);
        Assert.Equal(IPEndPoint.Parse("0.0.0.0:5353"), o.Dns.Listen);
        Assert.True(o.Dns.Enable);
        Assert.Equal([".", ".onion"], o.Dns.AutomapSuffixes);
        Assert.Equal(IPNetwork.Parse("10.64.0.0/12"), o.Dns.VirtualNetworkV4);
        Assert.Equal(IPNetwork.Parse("fd00:77::/64"), o.Dns.VirtualNetworkV6);
        Assert.Equal([IsolationField.ClientAddress, IsolationField.DestinationPort], o.Isolate.Fields);
    }

    [Fact]
    public void SocksUpstreamWithTheDaemonsUserAndMarksAsJsonStrings()
    {
        var o = Parse("""{ "upstream": { "kind": "socks5", "socks5": "127.0.0.1:9050" }, "redirect": { "install": true, "exempt_users": ["debian-tor", 0], "mark": "0x10" } }""");
        Assert.Equal(["debian-tor", "0"], o.Redirect.ExemptUsers);
        Assert.Equal(16u, o.Redirect.Mark);
    }

    [Fact]
    public void TheWriterRoundTripsTheNewKeys()
    {
        var o = Parse("""
            isolate = ["destination_port"]
            [redirect]
            install = true
            exclude = ["192.168.0.0/16"]
            exempt_users = ["debian-tor", "107"]
            mark = 77
            [dns]
            automap_suffixes = ["."]
            """);
        var text = o.ToString();
        Assert.Contains("mark = 0x4d", text);
        Assert.Equal(text, Parse(text).ToString());
    }

    [Fact]
    public void AnEmptyIsolateListSharesCircuits()
    {
        var o = Parse("isolate = []");
        Assert.Empty(o.Isolate.Fields);
        Assert.Equal(o.Isolate.StreamKey(IPAddress.Parse("10.0.0.1"), "a.example", 80), o.Isolate.StreamKey(IPAddress.Parse("10.0.0.2"), "b.example", 443));
    }

    public static TheoryData<string, string, string> BadCases => new()
    {
        { "[redirect]\ninstal = true", "redirect.instal", "unknown key 'redirect.instal' (did you mean 'install'?); known keys in [redirect]: install, scope, sources, exclude, ipv6, fail_closed, mark, exempt_users" },
        { "[redirect]\ninstall = \"yes\"", "redirect.install", "expected a boolean, found a string ('yes'); accepted: true or false" },
        { "[redirect]\nscope = \"lan\"", "redirect.scope", "'lan' is not a scope; accepted: \"host\"" },
        { "[redirect]\nsources = [\"10.0.3.1/24\"]", "redirect.sources[0]", "has bits set after its prefix length" },
        { "[redirect]\nexclude = [\"192.168.0.0/33\"]", "redirect.exclude[0]", "is not a valid CIDR address" },
        { "[redirect]\nexclude = [5]", "redirect.exclude[0]", "expected a CIDR string, found an integer (5)" },
        { "[redirect]\nipv6 = 1", "redirect.ipv6", "expected a boolean, found an integer (1)" },
        { "[redirect]\nfail_closed = true", "redirect.fail_closed", "true needs install = true" },
        { "[redirect]\nmark = 0", "redirect.mark", "0 is not a socket mark" },
        { "[redirect]\nmark = 4294967296", "redirect.mark", "is out of range; accepted: an integer from 1 to 4294967295" },
        { "[redirect]\nmark = \"blue\"", "redirect.mark", "'blue' is not a number" },
        { "[redirect]\nmark = 1.5", "redirect.mark", "expected an integer, found a float (1.5)" },
        { "[redirect]\nexempt_users = [\"Root User\"]", "redirect.exempt_users[0]", "'Root User' is not a user; accepted: a uid" },
        { "[redirect]\nexempt_users = [\"tor\", \"tor\"]", "redirect.exempt_users[1]", "is listed twice" },
        { "[redirect]\nexempt_users = [-1]", "redirect.exempt_users[0]", "-1 is not a uid" },
        { "[redirect]\ninstall = true\nscope = \"gateway\"\nipv6 = false\n[tcp_stack]\nlisten = \"0.0.0.0:9040\"\n[dns]\nlisten = \"0.0.0.0:9053\"", "redirect.sources", "gateway scope needs the client networks" },
        { "[redirect]\ninstall = true\nsources = [\"10.0.3.0/24\"]", "redirect.sources", "sources apply to gateway scope only" },
        { "[redirect]\ninstall = true\nscope = \"gateway\"\nipv6 = false\nsources = [\"192.168.3.0/24\"]\nexclude = [\"192.168.0.0/16\"]\n[tcp_stack]\nlisten = \"0.0.0.0:9040\"\n[dns]\nlisten = \"0.0.0.0:9053\"", "redirect.exclude", "192.168.0.0/16 overlaps source 192.168.3.0/24" },
        { "[redirect]\ninstall = true\nexclude = [\"192.168.0.0/16\", \"192.168.1.0/24\"]", "redirect.exclude", "overlap; list each network once" },
        { "[upstream]\nkind = \"socks5\"\nsocks5 = \"127.0.0.1:9050\"\n[redirect]\ninstall = true", "redirect.exempt_users", "exempt_users = [\"debian-tor\"]" },
        { "[redirect]\ninstall = true\n[tcp_stack]\nlisten = \"127.0.0.5:9040\"", "tcp_stack.listen", "cannot receive host-scope redirects" },
        { "[redirect]\ninstall = true\nscope = \"gateway\"\nipv6 = false\nsources = [\"10.0.3.0/24\"]\n[dns]\nlisten = \"0.0.0.0:9053\"", "tcp_stack.listen", "is a loopback address, which forwarded traffic" },
        { "[redirect]\ninstall = true\n[dns]\nlisten = \"127.0.0.1:9040\"", "dns.listen", "uses the port of tcp_stack.listen 127.0.0.1:9040" },
        { "[dns]\nenable = true\nlisten = \"0.0.0.0:9040\"", "dns.listen", "uses the port of tcp_stack.listen" },
        { "[dns]\nlisten = \"127.0.0.1\"", "dns.listen", "'127.0.0.1' is not a valid address" },
        { "[dns]\nenable = \"no\"", "dns.enable", "expected a boolean, found a string ('no')" },
        { "[dns]\nautomap_suffixes = [\"..onion\"]", "dns.automap_suffixes[0]", "is not a name suffix" },
        { "[dns]\nautomap_suffixes = 3", "dns.automap_suffixes", "expected a string or an array of strings, found an integer (3)" },
        { "[dns]\nvirtual_network_v4 = \"fd00::/64\"", "dns.virtual_network_v4", "is not an IPv4 network" },
        { "[dns]\nvirtual_network_v4 = \"10.0.0.0/30\"", "dns.virtual_network_v4", "has too few addresses" },
        { "[dns]\nvirtual_network_v4 = \"10.0.0.1/10\"", "dns.virtual_network_v4", "has bits set after its prefix length" },
        { "[dns]\nvirtual_network_v6 = \"10.0.0.0/8\"", "dns.virtual_network_v6", "is not an IPv6 network" },
        { "[dns]\nvirtual_network_v6 = \"nope\"", "dns.virtual_network_v6", "is not a valid CIDR network" },
        { "[dns]\nvirtual_netwrk_v4 = \"10.0.0.0/8\"", "dns.virtual_netwrk_v4", "(did you mean 'virtual_network_v4'?)" },
        { "[redirect]\ninstall = true\nexclude = [\"10.0.0.0/8\"]", "dns.virtual_network_v4", "10.192.0.0/10 overlaps redirect.exclude 10.0.0.0/8" },
        { "[dns]\nenable = true\nlisten = \"0.0.0.0:9053\"\nvirtual_network_v4 = \"127.0.0.0/8\"", "dns.virtual_network_v4", "contains tcp_stack.listen 127.0.0.1:9040" },
        { "isolate = [\"source\"]", "isolate[0]", "'source' is not an isolation field; accepted: an array of \"client_address\"" },
        { "isolate = [\"client_address\", \"client_address\"]", "isolate[1]", "is listed twice" },
        { "isolate = 1", "isolate", "expected an array of strings, found an integer (1)" },
    };

    [Theory]
    [MemberData(nameof(BadCases))]
    public void BadKeysNameThePathTheValueAndWhatIsAccepted(string payload, string keyPath, string fragment)
    {
        var e = Fail(payload);
        Assert.True(e.Errors.Count == 1, string.Join("\n", e.Errors.Select(x => x.Description)));
        Assert.Equal(keyPath, e.KeyPath);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.Line);
    }

    [Fact]
    public void ExcludingEverythingIsReportedWithTheVirtualRangeItSwallows()
    {
        var e = Fail("[redirect]\ninstall = true\nexclude = [\"0.0.0.0/0\"]");
        Assert.Equal(["redirect.exclude", "dns.virtual_network_v4"], e.Errors.Select(x => x.KeyPath));
        Assert.Contains("excludes every IPv4 address", e.Errors[0].Description, StringComparison.Ordinal);
    }
}
