using System.Net;
using Burrow.Core.Redirect;

namespace Burrow.Core.Tests.Redirect;

public class RedirectPlanTests
{
    internal static RedirectPlan Host(string name = "edge") => new() { Network = name, TcpPort = 9040, SocketMark = 0xb07 };

    internal static RedirectPlan Gateway(string name = "gw") => new()
    {
        Network = name, Scope = RedirectScope.Gateway, Sources = [IPNetwork.Parse("10.0.3.0/24")], TcpPort = 9040, SocketMark = 0xb07,
    };

    private static RedirectPlanError Single(RedirectPlan plan)
    {
        var errors = plan.Validate();
        return Assert.Single(errors);
    }

    [Fact]
    public void GoodPlansHaveNoErrors()
    {
        Assert.Empty(Host().Validate());
        Assert.Empty(Gateway().Validate());
        Assert.Empty((Host() with
        {
            Ipv6 = true, TcpPortV6 = 9041, DnsPort = 5353, FailClosed = true, ExemptUsers = ["0", "debian-tor", "_apt", "host$"],
            Exclude = [IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("fd00::/8")],
        }).Validate());
    }

    [Fact]
    public void MarkZeroIsRefused()
    {
        var e = Single(Host() with { SocketMark = 0 });
        Assert.Equal("mark", e.Field);
        Assert.Contains("1-4294967295", e.Message);
    }

    [Fact]
    public void GatewayWithoutSourcesIsRefused()
    {
        var e = Single(Gateway() with { Sources = [] });
        Assert.Equal("sources", e.Field);
        Assert.Contains("gateway scope needs", e.Message);
    }

    [Fact]
    public void HostWithSourcesIsRefused()
    {
        var e = Single(Host() with { Sources = [IPNetwork.Parse("10.0.3.0/24")] });
        Assert.Equal("sources", e.Field);
        Assert.Contains("gateway scope only", e.Message);
    }

    [Theory]
    [InlineData("10.0.3.0/24", "10.0.3.128/25")]
    [InlineData("10.0.3.0/24", "10.0.0.0/8")]
    [InlineData("10.0.3.0/24", "10.0.3.0/24")]
    public void SourcesOverlappingExcludeAreRefused(string source, string exclude)
    {
        var e = Single(Gateway() with { Sources = [IPNetwork.Parse(source)], Exclude = [IPNetwork.Parse(exclude)] });
        Assert.Equal("exclude", e.Field);
        Assert.Contains(exclude, e.Message);
        Assert.Contains(source, e.Message);
        Assert.Contains("both captured and excluded", e.Message);
    }

    [Fact]
    public void DifferentFamiliesNeverOverlap()
        => Assert.Empty((Gateway() with { Exclude = [IPNetwork.Parse("::/1")] }).Validate());

    [Fact]
    public void OverlapsWithinAListAreRefused()
    {
        var e = Single(Host() with { Exclude = [IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("192.168.1.0/24")] });
        Assert.Equal("exclude", e.Field);
        Assert.Contains("overlap", e.Message);
    }

    [Fact]
    public void ExcludingEverythingIsRefused()
    {
        var e = Single(Host() with { Exclude = [IPNetwork.Parse("0.0.0.0/0")] });
        Assert.Equal("exclude", e.Field);
        Assert.Contains("every IPv4 address", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    [InlineData(-1)]
    public void PortsOutOfRangeAreRefused(int port)
    {
        var e = Single(Host() with { TcpPort = port });
        Assert.Equal("listen", e.Field);
        Assert.Contains("1-65535", e.Message);
        Assert.Equal("dns_port", Single(Host() with { DnsPort = port }).Field);
        Assert.Equal("listen_v6", Single(Host() with { Ipv6 = true, TcpPortV6 = port }).Field);
    }

    [Fact]
    public void DnsOnTheListenerPortIsRefused()
    {
        var e = Single(Host() with { DnsPort = 9040 });
        Assert.Equal("dns_port", e.Field);
        Assert.Contains("TCP listener", e.Message);
        Assert.Equal("dns_port", Single(Host() with { Ipv6 = true, TcpPortV6 = 9041, DnsPort = 9041 }).Field);
    }

    [Theory]
    [InlineData("Root")]
    [InlineData("a b")]
    [InlineData("1abc")]
    [InlineData("$x")]
    [InlineData("")]
    [InlineData("4294967295")]
    public void BadUsersAreRefused(string user)
    {
        var e = Single(Host() with { ExemptUsers = [user] });
        Assert.Equal("exempt_users", e.Field);
        Assert.Contains($"'{user}'", e.Message);
        Assert.Contains("uid", e.Message);
    }

    [Fact]
    public void ExemptUsersInGatewayScopeAreRefused()
        => Assert.Equal("exempt_users", Single(Gateway() with { ExemptUsers = ["0"] }).Field);

    [Fact]
    public void GatewayIpv6NeedsIpv6Sources()
    {
        var e = Single(Gateway() with { Ipv6 = true });
        Assert.Equal("ipv6", e.Field);
        Assert.Empty((Gateway() with { Ipv6 = true, Sources = [IPNetwork.Parse("10.0.3.0/24"), IPNetwork.Parse("fd00:3::/64")] }).Validate());
    }

    [Theory]
    [InlineData("")]
    [InlineData("-edge")]
    [InlineData("a\"b")]
    [InlineData("a b")]
    public void BadNetworkNamesAreRefused(string name)
        => Assert.Equal("name", Single(Host(name)).Field);

    [Fact]
    public void EveryProblemIsNamedAtOnce()
    {
        var errors = (Gateway() with { Sources = [], SocketMark = 0, TcpPort = 0 }).Validate();
        Assert.Equal(["mark", "listen", "sources"], errors.Select(e => e.Field).ToArray());
        var thrown = Assert.Throws<RedirectPlanException>(() => NftRuleset.Render(Gateway() with { Sources = [], SocketMark = 0, TcpPort = 0 }));
        Assert.Equal(3, thrown.Errors.Count);
        Assert.Contains("mark: 0 is not a socket mark", thrown.Message);
    }

    [Fact]
    public void TwoHostScopesCannotRunSideBySide()
    {
        var e = Assert.Single(Host("a").ValidateAlongside([Host("b")]));
        Assert.Equal("scope", e.Field);
        Assert.Empty(Host("a").ValidateAlongside([Gateway("b")]));
        Assert.Empty(Gateway("a").ValidateAlongside([Gateway("b") with { Sources = [IPNetwork.Parse("10.0.4.0/24")] }]));
        Assert.Equal("sources", Assert.Single(Gateway("a").ValidateAlongside([Gateway("b") with { Sources = [IPNetwork.Parse("10.0.0.0/16")] }])).Field);
        Assert.Equal("name", Assert.Single(Host("Edge").ValidateAlongside([Gateway("edge")])).Field);
    }

    [Theory]
    [InlineData("edge", "burrow_edge")]
    [InlineData("Edge", "burrow_edge")]
    [InlineData("ci2", "burrow_ci2")]
    public void PlainNamesAreKept(string network, string table) => Assert.Equal(table, NftTableName.For(network));

    [Fact]
    public void OtherNamesAreFoldedWithAHash()
    {
        var t = NftTableName.For("my-net.1");
        Assert.Matches("^burrow_my_net_1_[0-9a-f]{8}$", t);
        Assert.Equal(t, NftTableName.For("MY-NET.1"));
    }

    [Fact]
    public void TableNamesNeverCollide()
    {
        string[] names = ["a_b", "a-b", "a.b", "ab", "a__b", "a_b_", "edge", "edge_", "x", "X1", "x-1", "x_1", "x.1"];
        var tables = names.Select(NftTableName.For).ToArray();
        Assert.Equal(tables.Length, tables.Distinct(StringComparer.Ordinal).Count());
        Assert.All(tables, t => Assert.Matches("^[a-z_][a-z0-9_]*$", t));
        Assert.All(tables, t => Assert.True(t.Length <= 256));
    }

    [Fact]
    public void TableMarksRoundTripAndDetectTheDead()
    {
        var mine = BurrowTableMark.ForCurrentProcess("edge");
        Assert.True(BurrowTableMark.TryParse(mine.ToComment(), out var parsed));
        Assert.Equal(mine, parsed);
        Assert.True(parsed.MakerIsAlive());
        Assert.False((parsed with { StartTime = parsed.StartTime + 1 }).MakerIsAlive()); // a reused pid is not the maker
        Assert.False(BurrowTableMark.TryParse("made by hand", out _));
        Assert.False(BurrowTableMark.TryParse(null, out _));
    }
}
