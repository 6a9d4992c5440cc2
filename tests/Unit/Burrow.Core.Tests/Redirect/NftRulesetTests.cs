using System.Net;
using Burrow.Core.Redirect;

namespace Burrow.Core.Tests.Redirect;

/// <summary>Golden text of the nft rendering (every variant here also goes through real nft in NftablesSessionTests).</summary>
public class NftRulesetTests
{
    internal static readonly NftRenderOptions Options = new(true, "burrow network=edge pid=4242 start=99");

    [Fact]
    public void HostMinimal()
    {
        Assert.Equal("""
            table inet burrow_edge {
            	flags owner;
            	comment "burrow network=edge pid=4242 start=99";

            	set exclude_v4 { type ipv4_addr; flags interval; }
            	set exclude_v6 { type ipv6_addr; flags interval; }

            	counter redirected_tcp_v4 { }

            	chain nat_output {
            		type nat hook output priority -100; policy accept;
            		meta mark 0x00000b07 return
            		fib daddr type local return
            		ip daddr @exclude_v4 return
            		ip6 daddr @exclude_v6 return
            		meta nfproto ipv4 meta l4proto tcp counter name redirected_tcp_v4 redirect to :9040
            	}
            }

            """, NftRuleset.Render(RedirectPlanTests.Host(), Options));
    }

    [Fact]
    public void HostFailClosedWithDnsExcludeAndExemptUsers()
    {
        var plan = RedirectPlanTests.Host() with
        {
            Exclude = [IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("fd00::/8"), IPNetwork.Parse("10.0.0.0/8")],
            ExemptUsers = ["0", "debian-tor"], DnsPort = 5353, FailClosed = true,
        };
        Assert.Equal("""
            table inet burrow_edge {
            	flags owner;
            	comment "burrow network=edge pid=4242 start=99";

            	set exclude_v4 { type ipv4_addr; flags interval; elements = { 192.168.0.0/16, 10.0.0.0/8 } }
            	set exclude_v6 { type ipv6_addr; flags interval; elements = { fd00::/8 } }

            	counter redirected_tcp_v4 { }
            	counter redirected_dns { }
            	counter dropped_invalid { }
            	counter dropped_ipv6 { }
            	counter dropped_udp { }
            	counter dropped_icmp { }
            	counter dropped_tcp { }
            	counter dropped_other { }

            	chain nat_output {
            		type nat hook output priority -100; policy accept;
            		meta mark 0x00000b07 return
            		meta skuid { 0, "debian-tor" } return
            		fib daddr type local return
            		meta nfproto ipv4 udp dport 53 counter name redirected_dns redirect to :5353
            		meta nfproto ipv4 tcp dport 53 counter name redirected_dns redirect to :5353
            		ip daddr @exclude_v4 return
            		ip6 daddr @exclude_v6 return
            		meta nfproto ipv4 meta l4proto tcp counter name redirected_tcp_v4 redirect to :9040
            	}

            	chain filter_output {
            		type filter hook output priority filter; policy accept;
            		meta mark 0x00000b07 accept
            		meta skuid { 0, "debian-tor" } accept
            		jump fail_closed
            	}

            	chain fail_closed {
            		ct direction reply accept
            		fib daddr type local accept
            		ip daddr @exclude_v4 accept
            		ip6 daddr @exclude_v6 accept
            		icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept
            		ct state invalid counter name dropped_invalid drop
            		meta nfproto ipv6 counter name dropped_ipv6 drop
            		meta l4proto udp counter name dropped_udp drop
            		meta l4proto { icmp, ipv6-icmp } counter name dropped_icmp drop
            		meta l4proto tcp counter name dropped_tcp drop
            		counter name dropped_other drop
            	}
            }

            """, NftRuleset.Render(plan, Options));
    }

    [Fact]
    public void HostIpv6WithItsOwnPortAndOneExemptUser()
    {
        var plan = RedirectPlanTests.Host() with { Ipv6 = true, TcpPortV6 = 9041, DnsPort = 5353, ExemptUsers = ["debian-tor"] };
        Assert.Equal("""
            table inet burrow_edge {
            	flags owner;
            	comment "burrow network=edge pid=4242 start=99";

            	set exclude_v4 { type ipv4_addr; flags interval; }
            	set exclude_v6 { type ipv6_addr; flags interval; }

            	counter redirected_tcp_v4 { }
            	counter redirected_tcp_v6 { }
            	counter redirected_dns { }

            	chain nat_output {
            		type nat hook output priority -100; policy accept;
            		meta mark 0x00000b07 return
            		meta skuid "debian-tor" return
            		fib daddr type local return
            		meta nfproto ipv4 udp dport 53 counter name redirected_dns redirect to :5353
            		meta nfproto ipv4 tcp dport 53 counter name redirected_dns redirect to :5353
            		meta nfproto ipv6 udp dport 53 counter name redirected_dns redirect to :5353
            		meta nfproto ipv6 tcp dport 53 counter name redirected_dns redirect to :5353
            		ip daddr @exclude_v4 return
            		ip6 daddr @exclude_v6 return
            		meta nfproto ipv4 meta l4proto tcp counter name redirected_tcp_v4 redirect to :9040
            		meta nfproto ipv6 meta l4proto tcp counter name redirected_tcp_v6 redirect to :9041
            	}
            }

            """, NftRuleset.Render(plan, Options));
    }

    [Fact]
    public void HostIpv6FailClosedKeepsIpv6AndOnePortServesBoth()
    {
        var text = NftRuleset.Render(RedirectPlanTests.Host() with { Ipv6 = true, FailClosed = true }, Options);
        Assert.Contains("\t\tmeta nfproto ipv6 meta l4proto tcp counter name redirected_tcp_v6 redirect to :9040\n", text);
        Assert.DoesNotContain("dropped_ipv6", text);
        Assert.DoesNotContain("dport 53", text);
    }

    [Fact]
    public void GatewayFailClosedIpv6()
    {
        var plan = RedirectPlanTests.Gateway() with
        {
            Sources = [IPNetwork.Parse("10.0.3.0/24"), IPNetwork.Parse("fd00:3::/64")], Exclude = [IPNetwork.Parse("192.168.0.0/16")],
            Ipv6 = true, TcpPortV6 = 9041, DnsPort = 5353, FailClosed = true, SocketMark = 1,
        };
        Assert.Equal("""
            table inet burrow_gw {
            	comment "burrow network=gw pid=1 start=2";

            	set exclude_v4 { type ipv4_addr; flags interval; elements = { 192.168.0.0/16 } }
            	set exclude_v6 { type ipv6_addr; flags interval; }
            	set sources_v4 { type ipv4_addr; flags interval; elements = { 10.0.3.0/24 } }
            	set sources_v6 { type ipv6_addr; flags interval; elements = { fd00:3::/64 } }

            	counter redirected_tcp_v4 { }
            	counter redirected_tcp_v6 { }
            	counter redirected_dns { }
            	counter dropped_invalid { }
            	counter dropped_udp { }
            	counter dropped_icmp { }
            	counter dropped_tcp { }
            	counter dropped_other { }

            	chain nat_prerouting {
            		type nat hook prerouting priority dstnat; policy accept;
            		meta mark 0x00000001 return
            		ip saddr @sources_v4 udp dport 53 counter name redirected_dns redirect to :5353
            		ip saddr @sources_v4 tcp dport 53 counter name redirected_dns redirect to :5353
            		ip6 saddr @sources_v6 udp dport 53 counter name redirected_dns redirect to :5353
            		ip6 saddr @sources_v6 tcp dport 53 counter name redirected_dns redirect to :5353
            		fib daddr type local return
            		ip daddr @exclude_v4 return
            		ip6 daddr @exclude_v6 return
            		ip saddr @sources_v4 meta l4proto tcp counter name redirected_tcp_v4 redirect to :9040
            		ip6 saddr @sources_v6 meta l4proto tcp counter name redirected_tcp_v6 redirect to :9041
            	}

            	chain filter_forward {
            		type filter hook forward priority filter; policy accept;
            		ip saddr @sources_v4 jump fail_closed
            		ip6 saddr @sources_v6 jump fail_closed
            	}

            	chain fail_closed {
            		ct direction reply accept
            		fib daddr type local accept
            		ip daddr @exclude_v4 accept
            		ip6 daddr @exclude_v6 accept
            		ct state invalid counter name dropped_invalid drop
            		meta l4proto udp counter name dropped_udp drop
            		meta l4proto { icmp, ipv6-icmp } counter name dropped_icmp drop
            		meta l4proto tcp counter name dropped_tcp drop
            		counter name dropped_other drop
            	}
            }

            """, NftRuleset.Render(plan, new NftRenderOptions(false, "burrow network=gw pid=1 start=2")));
    }

    [Fact]
    public void GatewayWithoutIpv6DropsAllForwardedIpv6WhenFailClosed()
    {
        var text = NftRuleset.Render(RedirectPlanTests.Gateway() with { FailClosed = true }, Options);
        Assert.Contains("""
            	chain filter_forward {
            		type filter hook forward priority filter; policy accept;
            		meta nfproto ipv6 counter name dropped_ipv6 drop
            		ip saddr @sources_v4 jump fail_closed
            	}
            """, text);
        Assert.DoesNotContain("redirected_tcp_v6", text);
        Assert.DoesNotContain("skuid", text);
    }

    [Fact]
    public void CountersListWhatTheTableDeclares()
    {
        var plan = RedirectPlanTests.Host() with { DnsPort = 53, FailClosed = true };
        var text = NftRuleset.Render(plan, Options);
        foreach (var c in NftRuleset.Counters(plan))
        {
            Assert.Contains($"\tcounter {c} {{ }}\n", text);
            Assert.Contains($"counter name {c} ", text);
        }
    }

    [Fact]
    public void DefaultRenderingNamesThisProcess()
    {
        var text = NftRuleset.Render(RedirectPlanTests.Host());
        Assert.Contains("\tflags owner;\n", text);
        Assert.Contains($"\tcomment \"burrow network=edge pid={Environment.ProcessId} start=", text);
    }

    [Fact]
    public void CommentsThatWouldBreakTheScriptAreRefused()
        => Assert.Throws<ArgumentException>(() => NftRuleset.Render(RedirectPlanTests.Host(), Options with { Comment = "a\" ; flush ruleset" }));
}
