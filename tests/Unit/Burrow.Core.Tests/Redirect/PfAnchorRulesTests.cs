using System.Net;
using Burrow.Core.Redirect;

namespace Burrow.Core.Tests.Redirect;

/// <summary>Golden text of the pf anchor rendering (unverified on a real Mac: see PfAnchorRules' remarks).</summary>
public class PfAnchorRulesTests
{
    [Fact]
    public void HostMinimal()
    {
        Assert.Equal("""
            # Burrow network edge, host scope: pfctl -a burrow/edge -f <this file>
            # The main ruleset needs: rdr-anchor "burrow/*" and anchor "burrow/*"
            # Burrow's relay connections pass by destination (<relays>); socket mark 0x00000b07 is Linux-only
            table <local> const { self, 127.0.0.0/8, ::1 }
            table <direct> const { self, 127.0.0.0/8, ::1 }
            table <relays> persist
            rdr pass on lo0 inet proto tcp from any to ! <direct> -> 127.0.0.1 port 9040
            pass out quick on ! lo0 proto tcp from any to <relays> keep state
            pass out quick on ! lo0 from any to <direct> keep state
            pass out quick on ! lo0 route-to (lo0 127.0.0.1) inet proto tcp from any to any keep state

            """, PfAnchorRules.Render(RedirectPlanTests.Host()));
    }

    [Fact]
    public void HostFailClosedWithDnsIpv6ExcludeAndExemptUsers()
    {
        var plan = RedirectPlanTests.Host() with
        {
            Exclude = [IPNetwork.Parse("192.168.0.0/16")], ExemptUsers = ["0", "_tor"], DnsPort = 5353, FailClosed = true, Ipv6 = true, TcpPortV6 = 9041,
        };
        Assert.Equal("""
            # Burrow network edge, host scope: pfctl -a burrow/edge -f <this file>
            # The main ruleset needs: rdr-anchor "burrow/*" and anchor "burrow/*"
            # Burrow's relay connections pass by destination (<relays>); socket mark 0x00000b07 is Linux-only
            table <local> const { self, 127.0.0.0/8, ::1 }
            table <direct> const { self, 127.0.0.0/8, ::1, 192.168.0.0/16 }
            table <relays> persist
            rdr pass on lo0 inet proto { tcp, udp } from any to ! <local> port 53 -> 127.0.0.1 port 5353
            rdr pass on lo0 inet proto tcp from any to ! <direct> -> 127.0.0.1 port 9040
            rdr pass on lo0 inet6 proto { tcp, udp } from any to ! <local> port 53 -> ::1 port 5353
            rdr pass on lo0 inet6 proto tcp from any to ! <direct> -> ::1 port 9041
            pass out quick on ! lo0 proto tcp from any to <relays> keep state
            pass out quick on ! lo0 proto { tcp, udp } from any to any user { 0, _tor } keep state
            pass out quick on ! lo0 route-to (lo0 127.0.0.1) inet proto { tcp, udp } from any to ! <local> port 53 keep state
            pass out quick on ! lo0 route-to (lo0 ::1) inet6 proto { tcp, udp } from any to ! <local> port 53 keep state
            pass out quick on ! lo0 from any to <direct> keep state
            pass out quick on ! lo0 route-to (lo0 127.0.0.1) inet proto tcp from any to any keep state
            pass out quick on ! lo0 route-to (lo0 ::1) inet6 proto tcp from any to any keep state
            pass out quick on ! lo0 inet6 proto icmp6 icmp6-type { neighbrsol, neighbradv, routersol } keep state
            block drop out quick on ! lo0 proto udp all label "dropped_udp"
            block drop out quick on ! lo0 proto { icmp, icmp6 } all label "dropped_icmp"
            block drop out quick on ! lo0 proto tcp all label "dropped_tcp"
            block drop out quick on ! lo0 all label "dropped_other"

            """, PfAnchorRules.Render(plan));
    }

    [Fact]
    public void HostFailClosedWithoutIpv6BlocksIpv6()
    {
        var text = PfAnchorRules.Render(RedirectPlanTests.Host() with { FailClosed = true, ExemptUsers = ["_tor"] });
        Assert.Contains("block drop out quick on ! lo0 inet6 all label \"dropped_ipv6\"\n", text);
        Assert.Contains(" user _tor keep state\n", text);
        Assert.DoesNotContain("::1 port", text);
    }

    [Fact]
    public void GatewayFailClosedWithDns()
    {
        var plan = RedirectPlanTests.Gateway() with { Exclude = [IPNetwork.Parse("192.168.0.0/16")], DnsPort = 5353, FailClosed = true };
        Assert.Equal("""
            # Burrow network gw, gateway scope: pfctl -a com.apple/burrow.gw -f <this file>
            # Burrow's relay connections pass by destination (<relays>); socket mark 0x00000b07 is Linux-only
            table <local> const { self, 127.0.0.0/8, ::1 }
            table <direct> const { self, 127.0.0.0/8, ::1, 192.168.0.0/16 }
            table <relays> persist
            table <sources> const { 10.0.3.0/24 }
            rdr pass on ! lo0 inet proto { tcp, udp } from <sources> to any port 53 -> 127.0.0.1 port 5353
            rdr pass on ! lo0 inet proto tcp from <sources> to ! <direct> -> 127.0.0.1 port 9040
            block drop in quick on ! lo0 inet6 from any to ! <direct> label "dropped_ipv6"
            block drop in quick on ! lo0 proto udp from <sources> to ! <direct> label "dropped_udp"
            block drop in quick on ! lo0 proto { icmp, icmp6 } from <sources> to ! <direct> label "dropped_icmp"
            block drop in quick on ! lo0 proto tcp from <sources> to ! <direct> label "dropped_tcp"
            block drop in quick on ! lo0 from <sources> to ! <direct> label "dropped_other"

            """, PfAnchorRules.Render(plan, "com.apple/burrow.gw"));
    }

    [Fact]
    public void AnchorsAreNamedAfterTheNetwork()
    {
        Assert.Equal("burrow/edge", PfAnchorRules.AnchorFor("edge"));
        Assert.Equal("rdr-anchor \"burrow/*\"\nanchor \"burrow/*\"\n", PfAnchorRules.MainRulesetHooks);
    }

    [Fact]
    public void ABadPlanIsRefusedHereToo()
        => Assert.Throws<RedirectPlanException>(() => PfAnchorRules.Render(RedirectPlanTests.Host() with { SocketMark = 0 }));
}
