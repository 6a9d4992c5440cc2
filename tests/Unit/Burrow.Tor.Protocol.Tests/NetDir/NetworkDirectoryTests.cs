using System.Net;
using Burrow.Tor.Identities;
using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;
using static Burrow.Tor.Tests.NetDoc.NetDocTestData;

namespace Burrow.Tor.Tests.NetDir;

public class NetworkDirectoryTests
{
    private static ConsensusVerification Verified2019()
    {
        var c = Consensus("network-2019-12-15-md-complete", "cached-microdesc-consensus");
        return ConsensusVerifier.Verify(c, Certs("network-2019-12-15-md-complete", "cached-certs"), Authorities2019To2022, c.ValidAfter);
    }

    private static ConsensusVerification VerifiedPrivate()
    {
        var c = Consensus("private-network", "cached-microdesc-consensus");
        return ConsensusVerifier.Verify(c, Certs("private-network", "cached-certs"), PrivateAuthorities(), c.ValidAfter);
    }

    private static IEnumerable<Microdescriptor> Microdescs2019() =>
        Microdescriptor.ParseAll(Bytes("network-2019-12-15-md-complete", "cached-microdescs"))
            .Concat(Microdescriptor.ParseAll(Bytes("network-2019-12-15-md-complete", "cached-microdescs.new")));

    [Fact]
    public void Complete2019ViewHasAMicrodescriptorForEveryRelay()
    {
        var dir = NetworkDirectory.Create(Verified2019(), Microdescs2019());
        Assert.Equal(6345, dir.Relays.Count);
        Assert.Equal(6345, dir.RelaysWithMicrodescriptor);
        Assert.Empty(dir.MissingMicrodescriptors);
        Assert.All(dir.Relays, r =>
        {
            Assert.Equal(r.Status.MicrodescDigest, r.Microdescriptor!.Digest);
            Assert.Equal(32, r.NtorOnionKey.Length);
        });
        // Cache entries no longer listed (6374 + 509 parsed) are simply not attached.
        Assert.Equal(Utc("2019-12-15 13:00:00"), dir.ValidAfter);
    }

    [Fact]
    public void MainCacheAloneLeavesSomeToFetch()
    {
        var verified = Verified2019();
        var partial = NetworkDirectory.Create(verified, Microdescriptor.ParseAll(Bytes("network-2019-12-15-md-complete", "cached-microdescs")));
        Assert.True(partial.MissingMicrodescriptors.Count > 0);
        Assert.Equal(6345, partial.RelaysWithMicrodescriptor + partial.Relays.Count(r => !r.HasMicrodescriptor));
        Assert.All(partial.MissingMicrodescriptors, d => Assert.Null(partial.Relays.First(r => r.MicrodescDigest == d).Microdescriptor));

        var complete = partial.WithMicrodescriptors(Microdescriptor.ParseAll(Bytes("network-2019-12-15-md-complete", "cached-microdescs.new")));
        Assert.Empty(complete.MissingMicrodescriptors);
        Assert.Equal(6345, complete.RelaysWithMicrodescriptor);
        var kept = partial.Relays.First(r => r.HasMicrodescriptor);
        Assert.Same(kept, complete.ByRsaId(kept.RsaIdentity)); // relays that had one are carried over as they were
        Assert.NotEqual(partial.RelaysWithMicrodescriptor, complete.RelaysWithMicrodescriptor); // the old snapshot is unchanged
    }

    [Fact]
    public void LookupsByRsaAndEd25519Identity()
    {
        var dir = NetworkDirectory.Create(Verified2019(), Microdescs2019());
        var r = dir.Relays[1234];
        Assert.Same(r, dir.ByRsaId(r.RsaIdentity));
        Assert.NotNull(r.Ed25519Identity);
        Assert.Same(r, dir.ByEd25519Id(r.Ed25519Identity!.Value));
        Assert.Null(dir.ByRsaId(RsaIdentity.FromHex("0000000000000000000000000000000000000000")));
        Assert.Null(dir.ByEd25519Id(new Ed25519Identity(new byte[32])));
    }

    [Fact]
    public void PrivateNetworkView()
    {
        var verified = VerifiedPrivate();
        var dir = NetworkDirectory.Create(verified, Microdescriptor.ParseAll(Bytes("private-network", "cached-microdescs")));
        Assert.Equal(7, dir.Relays.Count);
        Assert.Empty(dir.MissingMicrodescriptors);
        var exits = dir.Relays.Where(r => r.HasFlag(RelayFlags.Exit)).ToList();
        Assert.Equal(2, exits.Count);
        Assert.All(exits, e => Assert.True(e.ExitPolicy.AllowsPort(80)));
        Assert.All(dir.Relays.Except(exits), r => Assert.False(r.ExitPolicy.AllowsPort(80)));
        var auth0 = dir.Relays.Single(r => r.Nickname == "auth0");
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 18000), auth0.OrPort);
        Assert.Equal(18001, auth0.DirPort);
        Assert.True(auth0.HasFlag(RelayFlags.Authority | RelayFlags.Guard));
        Assert.Equal(121u, auth0.Bandwidth);
        Assert.True(auth0.IsBandwidthUnmeasured);
        Assert.True(auth0.Protocols.Supports("Relay", 6));
        Assert.Equal("Tor 0.4.9.11", auth0.Version);
        Assert.Empty(auth0.IPv6OrPorts);

        // Testnet params: sendme_accept_min_version=1, circwindow absent.
        Assert.Equal(1, dir.Params.SendmeAcceptMinVersion);
        Assert.Equal(0, dir.Params.SendmeEmitMinVersion);
        Assert.Equal(1000, dir.Params.CircWindow);
        Assert.Equal(10000, dir.Params.BwWeightScale);
        Assert.True(dir.Params.UseOptimisticData);
        Assert.Equal(1250, dir.Params.CircMaxCellQueueSize);
        Assert.Equal(5010, dir.Weights.Wgg);
        Assert.Equal(0, dir.Weights.Wmd);
    }

    [Fact]
    public void FreshnessFollowsTheConsensusTimes()
    {
        var dir = NetworkDirectory.Create(VerifiedPrivate(), []);
        var va = Utc("2026-11-24 19:27:22");
        Assert.False(dir.IsLive(va.AddSeconds(-1)));
        Assert.True(dir.IsLive(va));
        Assert.True(dir.IsFresh(va.AddSeconds(9)));
        Assert.False(dir.IsFresh(va.AddSeconds(10)));
        Assert.True(dir.IsLive(va.AddSeconds(30)));
        Assert.False(dir.IsLive(va.AddSeconds(31)));
        Assert.Equal(7, dir.MissingMicrodescriptors.Count);
        Assert.Equal(0, dir.RelaysWithMicrodescriptor);
        Assert.All(dir.Relays, r =>
        {
            Assert.False(r.HasNtorOnionKey);
            Assert.True(r.NtorOnionKey.IsEmpty);
            Assert.Null(r.Ed25519Identity);
            Assert.Same(PortPolicy.RejectAll, r.ExitPolicy);
        });
    }

    [Fact]
    public void MicrodescriptorsNotInTheConsensusAreNeverAttached()
    {
        // 2019 microdescriptors do not belong to the private network's consensus.
        var dir = NetworkDirectory.Create(VerifiedPrivate(), Microdescs2019().Take(500));
        Assert.Equal(0, dir.RelaysWithMicrodescriptor);
        // And a microdescriptor edited after the fact has another digest, so it is not attached either.
        var text = Text("private-network", "cached-microdescs").Replace("ntor-onion-key rqxYLH12", "ntor-onion-key rqxYLH13");
        var edited = NetworkDirectory.Create(VerifiedPrivate(), Microdescriptor.ParseAll(text));
        Assert.Equal(6, edited.RelaysWithMicrodescriptor);
        Assert.Single(edited.MissingMicrodescriptors);
    }

    [Fact]
    public void UnverifiedConsensusCannotBecomeADirectory()
    {
        var c = Consensus("private-network", "cached-microdesc-consensus");
        var rejected = ConsensusVerifier.Verify(c, [], PrivateAuthorities(), c.ValidAfter);
        Assert.False(rejected.IsAccepted);
        var e = Assert.Throws<ArgumentException>(() => NetworkDirectory.Create(rejected, []));
        Assert.Contains("not accepted", e.Message);

        var ns = Consensus("private-network", "cached-consensus.ns-flavour");
        var nsVerified = ConsensusVerifier.Verify(ns, Certs("private-network", "cached-certs"), PrivateAuthorities(), ns.ValidAfter);
        Assert.True(nsVerified.IsAccepted);
        Assert.Throws<ArgumentException>(() => NetworkDirectory.Create(nsVerified, []));
    }

    [Fact]
    public void NoEdConsensusHidesTheEd25519Identity()
    {
        var verified = VerifiedPrivate();
        var mds = Microdescriptor.ParseAll(Bytes("private-network", "cached-microdescs"));
        var first = verified.Consensus.Routers[0];
        var relay = new Relay(CloneWithFlags(first, first.Flags | RelayFlags.NoEdConsensus), mds.Single(m => m.Digest == first.MicrodescDigest));
        Assert.Null(relay.Ed25519Identity);
        Assert.NotNull(new Relay(first, mds.Single(m => m.Digest == first.MicrodescDigest)).Ed25519Identity);
    }

    [Fact]
    public void IPv6OrPortsComeFromALines()
    {
        var c = Consensus("network-2026-06-27-md", "cached-microdesc-consensus");
        var v = ConsensusVerifier.Verify(c, Certs("network-2026-06-27-md", "cached-certs"), Authorities2026, c.ValidAfter);
        var dir = NetworkDirectory.Create(v, []);
        Assert.Equal(9609, dir.Relays.Count);
        Assert.Equal(9609, dir.MissingMicrodescriptors.Count);
        var lisdex = dir.Relays[0];
        Assert.Equal([new IPEndPoint(IPAddress.Parse("2a0a:4cc0:c1:2aac::1"), 8443)], lisdex.IPv6OrPorts);
        Assert.Equal(4854, dir.Relays.Count(r => r.IPv6OrPorts.Count > 0));
        Assert.Equal(1, dir.Params.SendmeAcceptMinVersion);
        Assert.True(dir.Params.ExtendByEd25519Id);
        Assert.Equal(1750, dir.Params.CircMaxCellQueueSize);
    }

    [Fact]
    public void NetParametersClampToTheSpecBounds()
    {
        var p = new NetParameters(ConsensusParams.Parse("circwindow=5000 sendme_emit_min_version=300 sendme_accept_min_version=-1 bwweightscale=0 min_paths_for_circs_pct=99 UseOptimisticData=0"));
        Assert.Equal(1000, p.CircWindow);
        Assert.Equal(255, p.SendmeEmitMinVersion);
        Assert.Equal(0, p.SendmeAcceptMinVersion);
        Assert.Equal(1, p.BwWeightScale);
        Assert.Equal(95, p.MinPathsForCircsPct);
        Assert.False(p.UseOptimisticData);
        var low = new NetParameters(ConsensusParams.Parse("circwindow=1 min_paths_for_circs_pct=1 circ_max_cell_queue_size=5"));
        Assert.Equal(100, low.CircWindow);
        Assert.Equal(25, low.MinPathsForCircsPct);
        Assert.Equal(1000, low.CircMaxCellQueueSize);
        Assert.Equal(7, low.Get("other", 7, 0, 10));
    }

    [Fact]
    public void FamiliesNeedMutualListingOrASharedFamilyId()
    {
        var c = VerifiedPrivate().Consensus;
        var ids = c.Routers.Take(3).Select(r => r.Identity.ToHex()).ToArray();
        var a = new Relay(c.Routers[0], Md($"family ${ids[1]} ${ids[2]}"));
        var b = new Relay(c.Routers[1], Md($"family ${ids[0]}=auth0"));
        var x = new Relay(c.Routers[2], Md("family somebody"));
        Assert.True(NetworkDirectory.InSameFamily(a, b));
        Assert.False(NetworkDirectory.InSameFamily(a, x)); // a lists x, x does not list a
        Assert.True(NetworkDirectory.InSameFamily(x, x));
        var p = new Relay(c.Routers[3], Md("family-ids ed25519:abc"));
        var q = new Relay(c.Routers[4], Md("family-ids ed25519:zzz ed25519:abc"));
        Assert.True(NetworkDirectory.InSameFamily(p, q));
        Assert.False(NetworkDirectory.InSameFamily(p, a));

        static Microdescriptor Md(string line) => Microdescriptor.ParseAll("onion-key\n" + line + "\n")[0];
    }

    private static RouterStatus CloneWithFlags(RouterStatus r, RelayFlags flags) => new()
    {
        Nickname = r.Nickname,
        Identity = r.Identity,
        Published = r.Published,
        Address = r.Address,
        OrPort = r.OrPort,
        DirPort = r.DirPort,
        AdditionalOrPorts = r.AdditionalOrPorts,
        MicrodescDigest = r.MicrodescDigest,
        Flags = flags,
        Protocols = r.Protocols,
        LineNumber = r.LineNumber,
    };
}
