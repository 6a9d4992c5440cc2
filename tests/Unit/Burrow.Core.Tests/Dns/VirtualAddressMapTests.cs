using System.Net;
using System.Net.Sockets;
using Burrow.Core.Dns;
using Burrow.Tests;

namespace Burrow.Core.Tests.Dns;

public class VirtualAddressMapTests
{
    private static readonly AddressFamily V4 = AddressFamily.InterNetwork;
    private static readonly AddressFamily V6 = AddressFamily.InterNetworkV6;

    [Fact]
    public void DefaultsAutomapOnionOnlyFromTheDocumentedRanges()
    {
        var map = new VirtualAddressMap(new VirtualAddressMapOptions());
        Assert.True(map.ShouldAutomap("abcdefghijklmnop.onion"));
        Assert.True(map.ShouldAutomap("ABC.ONION."));
        Assert.False(map.ShouldAutomap("example.com"));
        Assert.False(map.ShouldAutomap("notonion"));

        var v4 = map.GetOrAssign("abc.onion", V4);
        var v6 = map.GetOrAssign("abc.onion", V6);
        Assert.True(IPNetwork.Parse("10.192.0.0/10").Contains(v4), v4.ToString());
        Assert.True(IPNetwork.Parse("fd62:7572:726f:77::/64").Contains(v6), v6.ToString());
        Assert.True(map.IsVirtualAddress(v4));
        Assert.False(map.IsVirtualAddress(IPAddress.Parse("10.0.0.1")));
    }

    [Fact]
    public void DotMapsEveryName()
    {
        var map = new VirtualAddressMap(new VirtualAddressMapOptions { Suffixes = ["."] });
        Assert.True(map.ShouldAutomap("example.com"));
        Assert.True(map.ShouldAutomap("a"));
    }

    [Fact]
    public void SameNameSameAddressAndReverseLookupFindsTheNormalisedName()
    {
        var map = new VirtualAddressMap(new VirtualAddressMapOptions { Suffixes = ["."] });
        var first = map.GetOrAssign("Example.COM.", V4);
        Assert.Equal(first, map.GetOrAssign("example.com", V4));
        Assert.NotEqual(first, map.GetOrAssign("other.example", V4));

        Assert.True(map.TryGetHostname(first, out var hostname));
        Assert.Equal("example.com", hostname);
        Assert.True(map.TryGetHostname(first.MapToIPv6(), out var mapped)); // an IPv4-mapped peer address
        Assert.Equal("example.com", mapped);
        Assert.False(map.TryGetHostname(IPAddress.Parse("10.192.200.200"), out _));
    }

    [Fact]
    public void RefusesInvalidNames()
    {
        var map = new VirtualAddressMap(new VirtualAddressMapOptions { Suffixes = ["."] });
        var ex = Assert.Throws<ArgumentException>(() => map.GetOrAssign("a..onion", V4));
        Assert.Contains("empty label", ex.Message);
        Assert.Throws<ArgumentException>(() => map.GetOrAssign(new string('x', 64) + ".onion", V4));
        Assert.False(map.ShouldAutomap("a..onion"));
    }

    [Fact]
    public void BadOptionsNameWhatIsWrong()
    {
        var suffix = Assert.Throws<ArgumentException>(() => new VirtualAddressMap(new VirtualAddressMapOptions { Suffixes = ["a..b"] }));
        Assert.Contains("automap suffix 'a..b'", suffix.Message);
        var family = Assert.Throws<ArgumentException>(() => new VirtualAddressMap(new VirtualAddressMapOptions { NetworkV4 = IPNetwork.Parse("fd00::/64") }));
        Assert.Contains("virtual_network_v4", family.Message);
        var small = Assert.Throws<ArgumentException>(() => new VirtualAddressMap(new VirtualAddressMapOptions { NetworkV4 = IPNetwork.Parse("10.192.0.0/30"), Capacity = 10 }));
        Assert.Contains("too few addresses", small.Message);
    }

    [Fact]
    public void CapacityEvictsTheLeastRecentlyUsedAndNeverReusesAHeldAddress()
    {
        var clock = new ManualTimeProvider();
        // 10.192.0.0/29: usable offsets 1..6, six addresses for a capacity of three names.
        var map = new VirtualAddressMap(new VirtualAddressMapOptions { Suffixes = ["."], Capacity = 3, NetworkV4 = IPNetwork.Parse("10.192.0.0/29") }, clock);
        var a = map.GetOrAssign("a.example", V4);
        var b = map.GetOrAssign("b.example", V4);
        var c = map.GetOrAssign("c.example", V4);
        Assert.Equal(3, new HashSet<IPAddress> { a, b, c }.Count);

        Assert.True(map.TryGetHostname(a, out _)); // a is now the most recently used; b the oldest
        var d = map.GetOrAssign("d.example", V4);
        Assert.Equal(3, map.Count);
        Assert.False(map.TryGetHostname(b, out _));
        Assert.True(map.TryGetHostname(a, out _));
        Assert.True(map.TryGetHostname(c, out _));

        // Many more names through the small pool: every address handed out is one no other live name holds.
        for (var i = 0; i < 50; i++)
        {
            var name = $"n{i}.example";
            var address = map.GetOrAssign(name, V4);
            Assert.True(map.TryGetHostname(address, out var back));
            Assert.Equal(name, back);
            Assert.NotEqual(IPAddress.Parse("10.192.0.0"), address); // the network's first address
            Assert.NotEqual(IPAddress.Parse("10.192.0.7"), address); // and last stay unused
            Assert.True(map.Count <= 3);
        }

        Assert.NotEqual(d, IPAddress.Any);
    }

    [Fact]
    public void EntriesExpireAfterTheirLifetimeAndUseRefreshesThem()
    {
        var clock = new ManualTimeProvider();
        var map = new VirtualAddressMap(new VirtualAddressMapOptions { Suffixes = ["."], EntryLifetime = TimeSpan.FromMinutes(10) }, clock);
        var used = map.GetOrAssign("used.example", V4);
        var idle = map.GetOrAssign("idle.example", V6);

        clock.Advance(TimeSpan.FromMinutes(6));
        Assert.True(map.TryGetHostname(used, out _)); // a connection refreshes the entry
        clock.Advance(TimeSpan.FromMinutes(6));

        Assert.True(map.TryGetHostname(used, out var name));
        Assert.Equal("used.example", name);
        Assert.False(map.TryGetHostname(idle, out _));
        Assert.Equal(1, map.Count);

        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, map.Count);
        Assert.False(map.TryGetHostname(used, out _));
    }

    [Fact]
    public async Task IsSafeUnderConcurrentUse()
    {
        var map = new VirtualAddressMap(new VirtualAddressMapOptions { Suffixes = ["."], Capacity = 64 });
        var failures = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                var name = $"w{worker}-{i % 100}.example";
                var address = map.GetOrAssign(name, i % 2 == 0 ? V4 : V6);
                // The entry may be evicted by another worker at any time, but never re-pointed at another name.
                if (map.TryGetHostname(address, out var back) && back != name)
                    Interlocked.Increment(ref failures);
            }
        })));
        Assert.Equal(0, failures);
        Assert.True(map.Count <= 64);
    }
}
