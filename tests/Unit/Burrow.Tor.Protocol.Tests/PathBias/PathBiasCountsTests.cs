using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;
using Burrow.Tor.PathBias;

namespace Burrow.Tor.Tests.PathBias;

/// <summary>Path bias arithmetic on recorded histories (path-spec 7.1-7.4).</summary>
public class PathBiasCountsTests
{
    private static PathBiasCounts Replay(PathBiasParameters p, string history)
    {
        // a = attempt, s = attempt that completed, c = a completed circuit collapsing, u/U = used (failed/succeeded).
        var counts = new PathBiasCounts();
        foreach (var ch in history)
        {
            switch (ch)
            {
                case 'a': counts.NoteCircuitAttempt(p); break;
                case 's': counts.NoteCircuitAttempt(p); counts.NoteCircuitSuccess(); break;
                case 'c': counts.NoteCircuitCollapsed(); break;
                case 'u': counts.NoteUse(p, false); break;
                case 'U': counts.NoteUse(p, true); break;
            }
        }
        return counts;
    }

    private static string Repeat(string s, int n) => string.Concat(Enumerable.Repeat(s, n));

    [Fact]
    public void Nothing_is_judged_before_the_minimum_counts()
    {
        var p = PathBiasParameters.Default;
        Assert.Equal(PathBiasLevel.Unknown, Replay(p, Repeat("a", 149)).Evaluate(p));
        Assert.Equal(PathBiasLevel.Extreme, Replay(p, Repeat("a", 150)).Evaluate(p));
        Assert.Equal(PathBiasLevel.Unknown, Replay(p, Repeat("u", 19)).Evaluate(p));
        Assert.Equal(PathBiasLevel.Extreme, Replay(p, Repeat("u", 20)).Evaluate(p));
    }

    [Theory]
    [InlineData(95, PathBiasLevel.Ok)]
    [InlineData(69, PathBiasLevel.Notice)]
    [InlineData(49, PathBiasLevel.Warn)]
    [InlineData(29, PathBiasLevel.Extreme)]
    public void Construction_rates_map_to_the_thresholds(int successPercent, PathBiasLevel expected)
    {
        var p = PathBiasParameters.Default;
        var counts = Replay(p, Repeat("s", successPercent * 2) + Repeat("a", (100 - successPercent) * 2));
        Assert.Equal(200, counts.CircuitAttempts);
        Assert.Equal(expected, counts.Evaluate(p));
        Assert.Equal(expected == PathBiasLevel.Extreme && p.DropGuards, counts.ShouldDisable(p));
        Assert.Equal(expected == PathBiasLevel.Extreme, counts.ShouldDisable(p with { DropGuards = true }));
    }

    [Fact]
    public void Use_rates_map_to_their_own_thresholds()
    {
        var p = PathBiasParameters.Default;
        Assert.Equal(PathBiasLevel.Ok, Replay(p, Repeat("U", 17) + Repeat("u", 3)).Evaluate(p));     // 85 %
        Assert.Equal(PathBiasLevel.Notice, Replay(p, Repeat("U", 14) + Repeat("u", 6)).Evaluate(p)); // 70 %
        Assert.Equal(PathBiasLevel.Extreme, Replay(p, Repeat("U", 11) + Repeat("u", 9)).Evaluate(p)); // 55 %
    }

    [Fact]
    public void A_collapsed_circuit_takes_its_success_back()
    {
        var p = PathBiasParameters.Default;
        var counts = Replay(p, Repeat("s", 150) + Repeat("c", 60));
        Assert.Equal(90, counts.CircuitSuccesses);
        Assert.Equal(PathBiasLevel.Notice, counts.Evaluate(p));
        Assert.Equal(0, Replay(p, "c").CircuitSuccesses);
    }

    [Fact]
    public void Counts_are_scaled_so_a_guard_that_turns_bad_is_noticed()
    {
        var p = PathBiasParameters.Default;
        // 1,000 good circuits, then the guard starts discarding four circuits in five.
        var counts = Replay(p, Repeat("s", 1000) + Repeat("saaaa", 100));
        Assert.True(counts.CircuitAttempts <= p.ScaleCircuits + 1, $"{counts.CircuitAttempts} attempts after scaling");
        Assert.Equal(PathBiasLevel.Extreme, counts.Evaluate(p));
        Assert.InRange(counts.CircuitSuccessRate!.Value, 0.2, 0.3);
        var use = Replay(p, Repeat("U", 500));
        Assert.True(use.UseAttempts <= p.ScaleUse + 1);
        Assert.Equal(1.0, use.UseSuccessRate);
    }

    [Fact]
    public void Parameters_come_from_the_consensus_within_the_spec_bounds()
    {
        var consensus = ConsensusParams.Parse("pb_mincircs=2 pb_dropguards=1 pb_extremepct=40 pb_multfactor=3 pb_scalefactor=4 pb_minuse=1 pb_scalecircs=5");
        var p = PathBiasParameters.FromConsensus(new NetParameters(consensus));
        Assert.Equal(5, p.MinCircuits);      // min 5
        Assert.True(p.DropGuards);
        Assert.Equal(40, p.ExtremePercent);
        Assert.Equal(0.75, p.ScaleFactor);
        Assert.Equal(3, p.MinUse);           // min 3
        Assert.Equal(10, p.ScaleCircuits);   // min 10
        Assert.Equal(PathBiasParameters.Default, PathBiasParameters.FromConsensus(new NetParameters(ConsensusParams.Empty)));
    }

    [Fact]
    public void Restored_counts_are_sanitised()
    {
        var c = PathBiasCounts.Restore(10, 50, double.NaN, -3);
        Assert.Equal(10, c.CircuitAttempts);
        Assert.Equal(10, c.CircuitSuccesses);
        Assert.Equal(0, c.UseAttempts);
        Assert.Equal(0, c.UseSuccesses);
    }
}
