using System.Net;
using Burrow.Tor.Identities;
using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;
using Burrow.Tor.PathSelection;

namespace Burrow.Tor.Tests.PathSelection;

public class PathSelectorTests
{
    private static NetworkDirectory Dir => TestDirectories.Complete2019;

    private static CircuitPath Select(PathSelector s, NetworkDirectory dir, ExitRequirement req) =>
        s.SelectExitPath(dir, req, restriction => s.ChooseGuardCandidate(dir, restriction));

    [Theory]
    [InlineData(443)]
    [InlineData(80)]
    [InlineData(25)]
    [InlineData(6667)]
    public void PathsObeyEveryConstraint(int port)
    {
        var s = new PathSelector(PathRules.Default, new Random(port));
        var req = ExitRequirement.ForPort(port);
        for (var i = 0; i < 400; i++)
        {
            var path = Select(s, Dir, req);
            Assert.Equal(3, path.Hops.Count);
            var (guard, middle, exit) = (path.Hops[0], path.Hops[1], path.Hops[2]);
            Assert.True(exit.ExitPolicy.AllowsPort(port), $"{exit} does not allow {port}: {exit.ExitPolicy}");
            Assert.False(exit.HasFlag(RelayFlags.BadExit));
            Assert.True(PathSelector.IsPossibleGuard(guard));
            foreach (var hop in path.Hops)
            {
                Assert.True(hop.HasFlag(RelayFlags.Running | RelayFlags.Valid | RelayFlags.Fast));
                Assert.True(hop.HasNtorOnionKey);
                if (req.Stable)
                    Assert.True(hop.HasFlag(RelayFlags.Stable), $"{hop} is not Stable for long-lived port {port}");
            }
            AssertDistinct(guard, middle);
            AssertDistinct(guard, exit);
            AssertDistinct(middle, exit);
        }
    }

    private static void AssertDistinct(Relay a, Relay b)
    {
        Assert.NotEqual(a.RsaIdentity, b.RsaIdentity);
        Assert.False(NetworkDirectory.InSameFamily(a, b), $"{a} and {b} are one family");
        Assert.False(PathRules.SamePrefix(a.OrPort.Address, b.OrPort.Address, 16), $"{a} ({a.OrPort}) and {b} ({b.OrPort}) share a /16");
    }

    [Fact]
    public void LongLivedPortsRequireStable()
    {
        Assert.True(ExitRequirement.ForPort(22).Stable);
        Assert.True(ExitRequirement.ForPort(6667).Stable);
        Assert.False(ExitRequirement.ForPort(443).Stable);
        var unstableExit = Dir.Relays.First(r => !r.HasFlag(RelayFlags.Stable) && PathSelector.IsUsableAsExit(r, ExitRequirement.ForPort(443)));
        Assert.False(PathSelector.IsUsableAsExit(unstableExit, ExitRequirement.ForPort(443) with { Stable = true }));
    }

    [Fact]
    public void ExitChoicesFollowBandwidthWeights()
    {
        // Expected probability of each candidate: bandwidth x Wee/Wed; grouped into ten buckets of
        // equal expected mass, each must get about a tenth of the draws (a uniform choice would
        // put most draws into the bucket of many small relays).
        var req = ExitRequirement.ForPort(443);
        var weights = new RelayWeights(Dir);
        var candidates = Dir.Relays.Where(r => PathSelector.IsUsableAsExit(r, req)).ToList();
        var total = candidates.Sum(r => weights.Weight(r, PathPosition.Exit));
        Assert.True(total > 0);
        var bucketOf = new Dictionary<RsaIdentity, int>();
        double acc = 0;
        foreach (var r in candidates.OrderBy(r => weights.Weight(r, PathPosition.Exit)))
        {
            bucketOf[r.RsaIdentity] = Math.Min(9, (int)(acc / total * 10));
            acc += weights.Weight(r, PathPosition.Exit);
        }

        var s = new PathSelector(PathRules.Default, new Random(12345));
        const int draws = 6000;
        var counts = new int[10];
        for (var i = 0; i < draws; i++)
            counts[bucketOf[s.ChooseExit(Dir, req)!.RsaIdentity]]++;
        // Bucket edges cut through single relays, so each bucket's true mass is 10% +- one relay's share.
        var largestShare = candidates.Max(r => weights.Weight(r, PathPosition.Exit)) / total;
        for (var b = 0; b < 10; b++)
        {
            var expectedLow = Math.Max(0, 0.1 - largestShare) * draws * 0.85;
            var expectedHigh = (0.1 + largestShare) * draws * 1.15;
            Assert.InRange(counts[b], expectedLow, expectedHigh);
        }
        // The lightest bucket holds far more than a tenth of the relays.
        Assert.True(candidates.Count(r => bucketOf[r.RsaIdentity] == 0) > candidates.Count / 3);
    }

    [Fact]
    public void PositionWeightsComeFromTheConsensus()
    {
        var w = new RelayWeights(Dir);
        double scale = Dir.Params.BwWeightScale;
        Assert.Equal(Dir.Weights.Wgg!.Value / scale, w.Factor(PathPosition.Guard, RelayFlags.Guard));
        Assert.Equal(Dir.Weights.Wgd!.Value / scale, w.Factor(PathPosition.Guard, RelayFlags.Guard | RelayFlags.Exit));
        Assert.Equal(0, w.Factor(PathPosition.Guard, RelayFlags.Exit));
        Assert.Equal(Dir.Weights.Wme!.Value / scale, w.Factor(PathPosition.Middle, RelayFlags.Exit));
        Assert.Equal(Dir.Weights.Wmm!.Value / scale, w.Factor(PathPosition.Middle, RelayFlags.None));
        Assert.Equal(Dir.Weights.Wee!.Value / scale, w.Factor(PathPosition.Exit, RelayFlags.Exit | RelayFlags.Fast));
        // BadExit relays are weighted as non-exits.
        Assert.Equal(Dir.Weights.Wmm!.Value / scale, w.Factor(PathPosition.Middle, RelayFlags.Exit | RelayFlags.BadExit));
        var relay = Dir.Relays.First(r => r.HasFlag(RelayFlags.Guard) && !r.HasFlag(RelayFlags.Exit) && r.Bandwidth > 0);
        Assert.Equal(relay.Bandwidth * Dir.Weights.Wmg!.Value / scale, w.Weight(relay, PathPosition.Middle), 6);
    }

    [Fact]
    public void ZeroWeightsFallBackToUniform()
    {
        // The private network's consensus has Wme=0: as middles, exits weigh nothing. Among
        // only-zero candidates the choice must still happen, and be spread over all of them.
        var dir = TestDirectories.Private;
        Assert.Equal(0, dir.Weights.Wme);
        var exits = dir.Relays.Where(r => r.HasFlag(RelayFlags.Exit)).ToList();
        Assert.Equal(2, exits.Count);
        var w = new RelayWeights(dir);
        Assert.All(exits, e => Assert.Equal(0, w.Weight(e, PathPosition.Middle)));
        var rng = new Random(7);
        var seen = new Dictionary<string, int>();
        for (var i = 0; i < 400; i++)
        {
            var r = w.Choose(exits, PathPosition.Middle, rng)!;
            seen[r.Nickname] = seen.GetValueOrDefault(r.Nickname) + 1;
        }
        Assert.Equal(2, seen.Count);
        Assert.All(seen.Values, c => Assert.InRange(c, 120, 280));
        Assert.Null(w.Choose([], PathPosition.Middle, rng));
    }

    [Fact]
    public void ZeroWeightRelaysAreNotChosenWhenOthersWeigh()
    {
        var dir = TestDirectories.Private;
        var w = new RelayWeights(dir);
        var middles = dir.Relays.Where(r => PathSelector.IsUsableForCircuits(r, false)).ToList();
        var rng = new Random(3);
        for (var i = 0; i < 300; i++)
            Assert.False(w.Choose(middles, PathPosition.Middle, rng)!.HasFlag(RelayFlags.Exit));
    }

    [Fact]
    public void PrivateNetworkNeedsSubnetRuleOff()
    {
        var dir = TestDirectories.Private;
        // All relays are on 127.0.0.1: with the default /16 rule no two may share a circuit.
        var strict = new PathSelector(PathRules.Default, new Random(1));
        Assert.Throws<PathSelectionException>(() => Select(strict, dir, ExitRequirement.ForPort(80)));

        var s = new PathSelector(TestDirectories.LoopbackRules, new Random(1));
        var exitsSeen = new HashSet<string>();
        var middlesSeen = new HashSet<string>();
        for (var i = 0; i < 200; i++)
        {
            var path = Select(s, dir, ExitRequirement.ForPort(80));
            Assert.Equal(3, path.Hops.Select(h => h.RsaIdentity).Distinct().Count());
            Assert.True(path.Last.HasFlag(RelayFlags.Exit));
            Assert.True(path.First.HasFlag(RelayFlags.Guard));
            exitsSeen.Add(path.Last.Nickname);
            middlesSeen.Add(path.Hops[1].Nickname);
        }
        Assert.Equal(2, exitsSeen.Count);
        Assert.True(middlesSeen.Count >= 3);
    }

    [Fact]
    public void FamilyMembersOfTheExitAreRefusedAsGuard()
    {
        var req = ExitRequirement.ForPort(443);
        // An exit with a mutual family member that could be a guard.
        var (exit, sibling) = Dir.Relays
            .Where(r => PathSelector.IsUsableAsExit(r, req))
            .SelectMany(e => e.FamilyRsaIds.Select(id => (e, Dir.ByRsaId(id))))
            .Where(p => p.Item2 != null && PathSelector.IsPossibleGuard(p.Item2) && NetworkDirectory.InSameFamily(p.e, p.Item2))
            .Select(p => (p.e, p.Item2!))
            .First();
        var rules = PathRules.Default;
        Assert.False(rules.MayShareCircuit(exit, sibling));
        Assert.False(rules.MayShareCircuit(exit, exit));

        // A guard chooser that ignores the restriction and insists on the sibling is refused.
        var s = new PathSelector(rules, new Random(5));
        var onlyThatExit = req with { ExcludedExits = Dir.Relays.Where(r => r != exit).Select(r => r.RsaIdentity).ToHashSet() };
        Func<Relay, bool>? given = null;
        Assert.Throws<PathSelectionException>(() => s.SelectExitPath(Dir, onlyThatExit, restriction =>
        {
            given = restriction;
            return sibling;
        }));
        Assert.NotNull(given);
        Assert.False(given!(sibling));
    }

    [Fact]
    public void ExcludedExitsAreNotChosen()
    {
        var req = ExitRequirement.ForPort(443);
        var s = new PathSelector(PathRules.Default, new Random(9));
        var excluded = new HashSet<RsaIdentity>();
        for (var i = 0; i < 50; i++)
            excluded.Add(s.ChooseExit(Dir, req)!.RsaIdentity);
        var withExclusions = req with { ExcludedExits = excluded };
        for (var i = 0; i < 300; i++)
            Assert.DoesNotContain(s.ChooseExit(Dir, withExclusions)!.RsaIdentity, excluded);
    }

    [Fact]
    public void IPv6TargetsUseTheP6Summary()
    {
        var req6 = ExitRequirement.ForPort(443, ipv6: true);
        var s = new PathSelector(PathRules.Default, new Random(11));
        for (var i = 0; i < 100; i++)
            Assert.True(s.ChooseExit(Dir, req6)!.ExitPolicy6.AllowsPort(443));
        // Some IPv4 exits for 443 have no IPv6 exit policy at all.
        Assert.Contains(Dir.Relays, r => PathSelector.IsUsableAsExit(r, ExitRequirement.ForPort(443)) && !PathSelector.IsUsableAsExit(r, req6));
    }

    [Fact]
    public void NoExitForAPortNobodyAllows()
    {
        var dir = TestDirectories.Private;
        var s = new PathSelector(TestDirectories.LoopbackRules, new Random(1));
        // Only the two exits allow anything, and they may be excluded.
        var req = ExitRequirement.ForPort(80) with
        {
            ExcludedExits = dir.Relays.Where(r => r.HasFlag(RelayFlags.Exit)).Select(r => r.RsaIdentity).ToHashSet(),
        };
        var e = Assert.Throws<PathSelectionException>(() => Select(s, dir, req));
        Assert.Contains("port 80", e.Message);
    }

    [Fact]
    public void ResolveNeedsAnExitThatAllowsSomething()
    {
        var dir = TestDirectories.Private;
        var s = new PathSelector(TestDirectories.LoopbackRules, new Random(1));
        for (var i = 0; i < 20; i++)
            Assert.True(s.ChooseExit(dir, ExitRequirement.ForResolve())!.ExitPolicy.AllowsAnyPort);
    }

    [Theory]
    [InlineData("10.1.2.3", "10.1.200.1", 16, true)]
    [InlineData("10.1.2.3", "10.2.2.3", 16, false)]
    [InlineData("10.1.2.3", "10.1.2.200", 24, true)]
    [InlineData("10.1.2.3", "10.1.3.3", 23, true)]
    [InlineData("10.1.2.3", "10.1.4.3", 23, false)]
    [InlineData("10.1.2.3", "99.1.2.3", 0, true)]
    [InlineData("2001:db8:1::1", "2001:db8:2::1", 32, true)]
    [InlineData("2001:db8:1::1", "2001:db9:1::1", 32, false)]
    [InlineData("2001:db8::1", "10.0.0.1", 0, false)]
    public void SubnetPrefixes(string a, string b, int prefix, bool same) =>
        Assert.Equal(same, PathRules.SamePrefix(IPAddress.Parse(a), IPAddress.Parse(b), prefix));

    [Fact]
    public void SubnetRuleCanBeTurnedOff()
    {
        var dir = TestDirectories.Private;
        var (a, b) = (dir.Relays[0], dir.Relays[1]);
        Assert.True(PathRules.Default.InSameSubnet(a, b));
        Assert.False(TestDirectories.LoopbackRules.InSameSubnet(a, b));
        Assert.False(new PathRules { Ipv4SubnetFamilyPrefix = 33 }.InSameSubnet(a, b));
        Assert.True(new PathRules { Ipv4SubnetFamilyPrefix = 32 }.InSameSubnet(a, b));
    }

    [Fact]
    public void CryptoRandomStaysInRange()
    {
        var r = CryptoRandom.Instance;
        for (var i = 0; i < 1000; i++)
        {
            Assert.InRange(r.Next(7), 0, 6);
            Assert.InRange(r.Next(-3, 3), -3, 2);
            var d = r.NextDouble();
            Assert.True(d is >= 0 and < 1);
            Assert.InRange(r.NextInt64(10, 20), 10, 19);
        }
        Assert.Equal(0, r.Next(0));
        Assert.Equal(5, r.NextInt64(5, 5));
    }
}
