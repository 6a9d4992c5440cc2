using System.Numerics;
using Burrow.Tor.NetDoc;
using Burrow.Tor.Protocol.Onion;
using Burrow.Tor.Tests.PathSelection;

namespace Burrow.Tor.Tests.Onion;

public class HsDirRingTests
{
    [Fact]
    public void ConsensusKeepsBothSharedRandomValues()
    {
        var c = TestDirectories.Complete2019.Consensus;
        Assert.Equal(Convert.FromBase64String("U5P5s36dlKHIDpFHLO8AgsQ2/mEsWwDOFPFyX36bj3w="), c.SharedRandCurrent);
        Assert.Equal(Convert.FromBase64String("9/OcW5YHCUyJ8rLbaoL/hDwHZxYdgkbtYU2qzTQ2T5I="), c.SharedRandPrevious);
    }

    [Fact]
    public void MalformedSharedRandomValueIsRefused()
    {
        var text = File.ReadAllText(Burrow.Tests.TestPaths.Tor("network-2019-12-15-md-complete", "cached-microdesc-consensus"))
            .Replace("shared-rand-current-value 9 U5P5s36dlKHIDpFHLO8AgsQ2/mEsWwDOFPFyX36bj3w=", "shared-rand-current-value 9 U5P5s36d", StringComparison.Ordinal);
        var e = Assert.Throws<NetDocException>(() => MicrodescConsensus.Parse(text));
        Assert.Contains("shared-rand-current-value", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResponsibleHsDirsAreTheFirstAfterEachReplicaIndex()
    {
        var dir = TestDirectories.Complete2019;
        var period = HsDirSchedule.CurrentPeriod(dir.Consensus);
        var srv = dir.Consensus.SharedRandCurrent!;
        var ring = HsDirRing.Build(dir.Relays, period, srv);
        var hsdirs = dir.Relays.Where(r => r.HasFlag(RelayFlags.HSDir) && r.Ed25519Identity != null).ToList();
        Assert.Equal(hsdirs.Count, ring.Count);
        Assert.True(ring.Count > 3000);

        var id = Convert.FromHexString("781d978ce6ce9caa8bca306f53e82d2c993e5c91346625f1c151dcfc56d753d3");
        var blinded = OnionKeyBlinding.BlindPublicKey(id, period);
        var chosen = ring.ResponsibleForFetch(blinded);
        Assert.Equal(6, chosen.Count);
        Assert.Equal(6, chosen.Distinct().Count());

        // Independently: distance on the 2^256 ring from the service index to each relay index.
        var modulus = BigInteger.One << 256;
        BigInteger Num(byte[] b) => new(b, isUnsigned: true, isBigEndian: true);
        var expected = new List<Burrow.Tor.NetDir.Relay>();
        for (var replica = 1; replica <= 2; replica++)
        {
            var s = Num(HsDirRing.ServiceIndex(blinded, replica, period));
            expected.AddRange(hsdirs
                .Where(r => !expected.Contains(r))
                .OrderBy(r => ((Num(OnionHash.H(OnionHash.Ascii("node-idx"), r.Ed25519Identity!.Value.ToArray(), srv,
                    OnionHash.Int8(period.Number), OnionHash.Int8(period.LengthMinutes))) - s) % modulus + modulus) % modulus)
                .Take(3));
        }
        Assert.Equal(expected, chosen);
    }

    [Fact]
    public void PeriodAndSrvFollowTheConsensusTime()
    {
        var c = TestDirectories.Complete2019.Consensus;   // valid-after 2019-12-15 13:00, 1-hour voting
        var period = HsDirSchedule.CurrentPeriod(c);
        Assert.Equal(TimePeriod.At(new DateTimeOffset(2019, 12, 15, 13, 0, 0, TimeSpan.Zero)).Number, period.Number);
        Assert.Equal(720u, period.RotationOffsetMinutes);
        // 13:00 is after the 12:00 period start and before the 00:00 SRV: the current SRV.
        Assert.True(HsDirSchedule.InPeriodBetweenTpAndSrv(c, period));
        Assert.Equal(c.SharedRandCurrent, HsDirSchedule.SharedRandomForFetch(c, period).Primary);
    }
}
