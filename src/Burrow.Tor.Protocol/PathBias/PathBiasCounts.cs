// Path bias accounting for one guard (path-spec 7.1-7.3): circuit attempts and successes, use attempts
// and successes, scaled down as they grow so they stay a moving average. No clock, no I/O.
namespace Burrow.Tor.PathBias;

/// <summary>
/// A guard's path bias counts. An attempt is a circuit that got past the guard (its first hop answered and
/// the circuit asked it to extend); a success is a circuit that completed; a circuit that the network closed
/// before we asked takes its success back. Use attempts and successes are counted when a used circuit closes.
/// Not thread-safe: the guard manager holds its lock.
/// </summary>
internal sealed class PathBiasCounts
{
    public double CircuitAttempts { get; private set; }

    public double CircuitSuccesses { get; private set; }

    public double UseAttempts { get; private set; }

    public double UseSuccesses { get; private set; }

    /// <summary>Restores persisted counts (clamped: successes never exceed attempts, nothing negative or NaN).</summary>
    public static PathBiasCounts Restore(double circuitAttempts, double circuitSuccesses, double useAttempts, double useSuccesses)
    {
        static double Clean(double v) => double.IsFinite(v) && v > 0 ? Math.Min(v, 1e9) : 0;
        var c = new PathBiasCounts { CircuitAttempts = Clean(circuitAttempts), UseAttempts = Clean(useAttempts) };
        c.CircuitSuccesses = Math.Min(Clean(circuitSuccesses), c.CircuitAttempts);
        c.UseSuccesses = Math.Min(Clean(useSuccesses), c.UseAttempts);
        return c;
    }

    /// <summary>Construction success rate, or null before any attempt.</summary>
    public double? CircuitSuccessRate => CircuitAttempts > 0 ? CircuitSuccesses / CircuitAttempts : null;

    /// <summary>Use success rate, or null before any use.</summary>
    public double? UseSuccessRate => UseAttempts > 0 ? UseSuccesses / UseAttempts : null;

    /// <summary>A circuit through the guard was extended past it. <paramref name="openCircuits"/> are circuits
    /// counted as attempts whose outcome is not known yet: path-spec 7.3 keeps them out of the scaling.</summary>
    public void NoteCircuitAttempt(PathBiasParameters p, int openCircuits = 0)
    {
        if (CircuitAttempts >= p.ScaleCircuits)
        {
            var pending = Math.Min(openCircuits, CircuitAttempts - CircuitSuccesses);
            CircuitAttempts = (CircuitAttempts - pending) * p.ScaleFactor + pending;
            CircuitSuccesses *= p.ScaleFactor;
        }
        CircuitAttempts++;
    }

    public void NoteCircuitSuccess() => CircuitSuccesses = Math.Min(CircuitSuccesses + 1, CircuitAttempts);

    /// <summary>A completed circuit closed before we asked (path-spec 7.1): counted as a failure after all.</summary>
    public void NoteCircuitCollapsed() => CircuitSuccesses = Math.Max(0, CircuitSuccesses - 1);

    /// <summary>A circuit that streams were attached to closed; <paramref name="succeeded"/>: it was used successfully.</summary>
    public void NoteUse(PathBiasParameters p, bool succeeded)
    {
        if (UseAttempts >= p.ScaleUse)
        {
            UseAttempts *= p.ScaleFactor;
            UseSuccesses *= p.ScaleFactor;
        }
        UseAttempts++;
        if (succeeded)
            UseSuccesses = Math.Min(UseSuccesses + 1, UseAttempts);
    }

    /// <summary>The worse of the construction and use verdicts (each judged only past its minimum count).</summary>
    public PathBiasLevel Evaluate(PathBiasParameters p)
    {
        var level = PathBiasLevel.Unknown;
        if (CircuitAttempts >= p.MinCircuits)
        {
            var pct = 100 * CircuitSuccesses / CircuitAttempts;
            level = Max(level, pct < p.ExtremePercent ? PathBiasLevel.Extreme
                : pct < p.WarnPercent ? PathBiasLevel.Warn
                : pct < p.NoticePercent ? PathBiasLevel.Notice
                : PathBiasLevel.Ok);
        }
        if (UseAttempts >= p.MinUse)
        {
            var pct = 100 * UseSuccesses / UseAttempts;
            level = Max(level, pct < p.ExtremeUsePercent ? PathBiasLevel.Extreme
                : pct < p.NoticeUsePercent ? PathBiasLevel.Notice
                : PathBiasLevel.Ok);
        }
        return level;
    }

    /// <summary>Whether the guard must not be used (path-spec 7.4: extreme and pb_dropguards).</summary>
    public bool ShouldDisable(PathBiasParameters p) => p.DropGuards && Evaluate(p) == PathBiasLevel.Extreme;

    public override string ToString() =>
        $"{CircuitSuccesses:0.#}/{CircuitAttempts:0.#} circuits completed, {UseSuccesses:0.#}/{UseAttempts:0.#} used successfully";

    private static PathBiasLevel Max(PathBiasLevel a, PathBiasLevel b) => a > b ? a : b;
}
