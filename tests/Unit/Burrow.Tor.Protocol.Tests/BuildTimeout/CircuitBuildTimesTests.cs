using Burrow.Tor.BuildTimeout;
using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.Tests.BuildTimeout;

/// <summary>path-spec 2.4 on recorded histories: the Pareto fit, its quantiles, the caps, the reset.</summary>
public class CircuitBuildTimesTests
{
    /// <summary>A loopback-like history: most builds 40-120 ms, a tail to a few seconds (a Pareto draw, seeded).</summary>
    private static List<int> LoopbackHistory(int n, int seed = 5)
    {
        var random = new Random(seed);
        var times = new List<int>(n);
        for (var i = 0; i < n; i++)
        {
            // Pareto(xm = 50 ms, alpha = 2.5) plus jitter.
            var u = 1.0 - random.NextDouble();
            times.Add((int)(50 / Math.Pow(u, 1 / 2.5)) + random.Next(10));
        }
        return times;
    }

    [Fact]
    public void Before_cbtmincircs_both_timeouts_are_the_initial_one()
    {
        var p = CbtParameters.Default;
        var times = new CircuitBuildTimes();
        foreach (var t in LoopbackHistory(99))
            times.AddBuildTime(t, p);
        var e = times.Estimate(p)!;
        Assert.False(e.Learned);
        Assert.Equal(60_000, e.TimeoutMs);
        Assert.Equal(60_000, e.CloseMs);
        Assert.Equal(99, e.Samples);
    }

    [Fact]
    public void A_loopback_history_gives_a_timeout_of_hundreds_of_milliseconds()
    {
        var p = CbtParameters.Default;
        var times = new CircuitBuildTimes();
        var history = LoopbackHistory(500);
        foreach (var t in history)
            times.AddBuildTime(t, p);
        var e = times.Estimate(p)!;
        Assert.True(e.Learned);
        Assert.InRange(e.Xm!.Value, 50, 80);
        Assert.InRange(e.Alpha!.Value, 1.5, 8.0); // mode averaging lifts Xm, so alpha comes out above the draw's 2.5
        Assert.InRange(e.TimeoutMs, 70, 400);
        // 80 % of the recorded builds finish within it, give or take the fit.
        var within = history.Count(t => t <= e.TimeoutMs) / (double)history.Count;
        Assert.InRange(within, 0.7, 0.95);
        // Close: F(0.99) capped at twice the largest time seen, never below cbtinitialtimeout.
        Assert.Equal(60_000, e.CloseMs);
        Assert.Equal(CircuitBuildTimes.Quantile(e.Xm.Value, e.Alpha.Value, 0.8), e.TimeoutMs, 1.0);
    }

    [Fact]
    public void Xm_is_the_weighted_average_of_the_most_frequent_bins_with_ties_to_the_shorter()
    {
        // Bins 100 (x3), 200 (x3), 300 (x1): with two modes, 100 and 200 (tie broken by order), midpoints 105 and 205.
        int[] times = [101, 102, 103, 201, 202, 203, 301];
        Assert.Equal(155, CircuitBuildTimes.Xm(times, 2), 6);
        Assert.Equal(105, CircuitBuildTimes.Xm(times, 1), 6);
        Assert.Equal((105 * 3 + 205 * 3 + 305) / 7.0, CircuitBuildTimes.Xm(times, 10), 6);
    }

    [Fact]
    public void The_timeout_is_capped_by_the_longest_build_seen_and_floored_by_cbtmintimeout()
    {
        var p = CbtParameters.Default with { MinCircuits = 10 };
        var times = new CircuitBuildTimes();
        for (var i = 0; i < 20; i++)
            times.AddBuildTime(i % 2 == 0 ? 5 : 6, p); // all in one bin: alpha is infinite, F(q) = Xm
        var e = times.Estimate(p)!;
        Assert.Equal(10, e.TimeoutMs); // Xm 5 ms, cbtmintimeout 10 ms
        var spread = new CircuitBuildTimes();
        foreach (var t in new[] { 10, 10, 10, 10, 10, 10, 10, 10, 10, 2000 })
            spread.AddBuildTime(t, p);
        Assert.True(spread.Estimate(p)!.TimeoutMs <= 2000);
    }

    [Fact]
    public void Mostly_timeouts_discard_the_history_and_a_timeout_already_at_the_initial_one_doubles()
    {
        var p = CbtParameters.Default;
        var times = new CircuitBuildTimes();
        foreach (var t in LoopbackHistory(300))
            times.AddBuildTime(t, p);
        Assert.True(times.Estimate(p)!.Learned);
        var reset = false;
        for (var i = 0; i < 18; i++)
            reset |= times.AddTimeout(p);
        Assert.True(reset);
        Assert.Equal(0, times.Count);
        Assert.Equal(60_000, times.Estimate(p)!.TimeoutMs);
        // Still timing out with the initial timeout: doubled.
        for (var i = 0; i < 18; i++)
            times.AddTimeout(p);
        Assert.Equal(120_000, times.Estimate(p)!.TimeoutMs);
        // A success ends the emergency.
        times.AddBuildTime(80, p);
        Assert.Equal(60_000, times.Estimate(p)!.TimeoutMs);
    }

    [Fact]
    public void Only_the_last_thousand_times_are_kept_and_the_histogram_has_10_ms_bins()
    {
        var p = CbtParameters.Default;
        var times = new CircuitBuildTimes();
        for (var i = 0; i < 1500; i++)
            times.AddBuildTime(i < 500 ? 5000 : 95, p);
        Assert.Equal(1000, times.Count);
        Assert.All(times.Times, t => Assert.Equal(95, t));
        Assert.Equal([(90, 1000)], times.Histogram());
    }

    [Fact]
    public void Parameters_come_from_the_consensus_within_the_spec_bounds()
    {
        var p = CbtParameters.FromConsensus(new NetParameters(ConsensusParams.Parse("cbtquantile=95 cbtclosequantile=50 cbtmincircs=0 cbtmintimeout=1 cbtinitialtimeout=5 cbtdisabled=1")));
        Assert.Equal(95, p.Quantile);
        Assert.Equal(95, p.CloseQuantile);     // min: cbtquantile
        Assert.Equal(1, p.MinCircuits);        // min 1
        Assert.Equal(10, p.MinTimeoutMs);      // min 10
        Assert.Equal(10, p.InitialTimeoutMs);  // min: cbtmintimeout
        Assert.True(p.Disabled);
        Assert.Null(new CircuitBuildTimes().Estimate(p));
        Assert.Equal(CbtParameters.Default, CbtParameters.FromConsensus(new NetParameters(ConsensusParams.Empty)));
    }
}
