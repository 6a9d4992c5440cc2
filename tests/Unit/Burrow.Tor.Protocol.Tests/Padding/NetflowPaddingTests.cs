using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;
using Burrow.Tor.Padding;

namespace Burrow.Tor.Tests.Padding;

/// <summary>padding-spec 2.3 and 2.6: the max(X, X) timeout distribution and the nf_* parameters.</summary>
public class NetflowPaddingTests
{
    [Fact]
    public void Timeouts_follow_max_of_two_uniform_draws()
    {
        var random = new Random(1);
        var samples = Enumerable.Range(0, 20_000).Select(_ => NetflowPadding.SampleTimeoutMs(1500, 9500, random)).ToList();
        Assert.All(samples, s => Assert.InRange(s, 1500, 9499));
        // E[max(X, X)] for X uniform over 0..R-1 is about 2R/3 (padding-spec 2.3's table: R = 8000 gives 5332.8).
        Assert.InRange(samples.Average() - 1500, 5250, 5420);
        // More mass near the high end than a uniform draw would put there.
        Assert.True(samples.Count(s => s >= 5500) > samples.Count * 0.7);
        Assert.Equal(3000, NetflowPadding.SampleTimeoutMs(3000, 3000, random));
    }

    [Fact]
    public void Parameters_come_from_the_consensus()
    {
        var nf = NetflowPadding.FromConsensus(new NetParameters(ConsensusParams.Parse("nf_ito_low=2000 nf_ito_high=1000 nf_ito_low_reduced=10000 nf_pad_before_usage=0")));
        Assert.Equal(2000, nf.ItoLowMs);
        Assert.Equal(2000, nf.ItoHighMs); // never below the low end
        Assert.Equal(10000, nf.ItoLowReducedMs);
        Assert.Equal(14000, nf.ItoHighReducedMs);
        Assert.False(nf.PadBeforeUsage);
        Assert.True(NetflowPadding.FromConsensus(new NetParameters(ConsensusParams.Parse("nf_ito_low=0 nf_ito_high=0"))).Disabled);
        Assert.Equal(NetflowPadding.Default, NetflowPadding.FromConsensus(new NetParameters(ConsensusParams.Empty)));
    }
}
