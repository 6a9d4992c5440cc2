using Burrow.Core.Configuration;
using static Burrow.Core.Tests.Configuration.PayloadTestSupport;

namespace Burrow.Core.Tests.Configuration;

public class PayloadWriterTests
{
    [Fact]
    public void DefaultsRenderAsTheDesignPayload()
    {
        var toml = PayloadWriter.ToToml(new BurrowOptions());
        Assert.Equal("""
            address = ["100.64.0.2/32"]
            tun_name = "burrow-tor"
            mtu = 1400
            isolate = ["client_address", "destination_address"]

            [arti]
            state_dir = "/var/lib/burrow/arti/state"
            cache_dir = "/var/cache/burrow/arti"

            [arti.path_rules]
            ipv4_subnet_family_prefix = 16
            ipv6_subnet_family_prefix = 32

            [tcp_stack]
            kind = "system"
            listen = "127.0.0.1:9040"

            [upstream]
            kind = "in_process"

            [recovery]
            pflog_fallback = false

            [redirect]
            install = false
            scope = "host"
            sources = []
            exclude = []
            ipv6 = true
            fail_closed = false
            mark = 0x4252
            exempt_users = []

            [dns]
            listen = "127.0.0.1:9053"
            enable = false
            automap_suffixes = [".onion"]
            virtual_network_v4 = "10.192.0.0/10"
            virtual_network_v6 = "fd62:7572:726f:77::/64"

            """.ReplaceLineEndings("\n"), toml);
    }

    [Fact]
    public void RenderedPayloadParsesBackToTheSameOptions()
    {
        var options = Parse(FullToml);
        var rendered = options.ToString();
        Assert.Contains("socks5 = \"127.0.0.1:9150\"", rendered, StringComparison.Ordinal);
        Assert.Contains($"ed_identity = \"{Ed}\"", rendered, StringComparison.Ordinal);
        Assert.Equal(rendered, Parse(rendered).ToString());
    }

    [Fact]
    public void StringsAreEscaped()
    {
        const string odd = "/tmp/a \"b\"\\c\td\u0001";
        var options = new BurrowOptions { Arti = new ArtiSection { StateDir = odd } };
        var rendered = options.ToString();
        Assert.Contains("state_dir = \"/tmp/a \\\"b\\\"\\\\c\\td\\u0001\"", rendered, StringComparison.Ordinal);
        Assert.Equal(odd, Parse(rendered).Arti.StateDir);
    }
}
