// Bandwidth weighting of relay selection (path-spec 2.2; the weights are the consensus
// "bandwidth-weights", dir-spec 3.4.1 footer and 3.8.3).
using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.PathSelection;

/// <summary>
/// A relay's weight for a position: its consensus bandwidth times the position's weight for its
/// class (Guard+Exit, Guard only, Exit only, neither), divided by "bwweightscale". A weight the
/// consensus leaves out counts as the scale (1.0), as dir-spec 3.8.3 says unused weights are.
/// Zero or missing bandwidths give zero weights; <see cref="Choose"/> then falls back to a uniform
/// choice among the candidates, so networks with unmeasured relays still yield paths.
/// </summary>
internal sealed class RelayWeights
{
    // [position, class]: class 0 = Guard+Exit ("d"), 1 = Guard ("g"), 2 = Exit ("e"), 3 = neither ("m").
    private readonly double[,] _factors = new double[4, 4];

    public RelayWeights(NetworkDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var w = directory.Weights;
        double scale = directory.Params.BwWeightScale;
        Set(PathPosition.Guard, w, scale, "Wgd", "Wgg", null, "Wgm");
        Set(PathPosition.Middle, w, scale, "Wmd", "Wmg", "Wme", "Wmm");
        Set(PathPosition.Exit, w, scale, "Wed", "Weg", "Wee", "Wem");
        Set(PathPosition.Directory, w, scale, "Wbd", "Wbg", "Wbe", "Wbm");
    }

    private void Set(PathPosition position, BandwidthWeights w, double scale, string d, string g, string? e, string m)
    {
        var p = (int)position;
        _factors[p, 0] = Factor(w, d, scale);
        _factors[p, 1] = Factor(w, g, scale);
        // An Exit-only relay has no guard-position weight: it is never a guard.
        _factors[p, 2] = e == null ? 0 : Factor(w, e, scale);
        _factors[p, 3] = Factor(w, m, scale);
    }

    private static double Factor(BandwidthWeights w, string name, double scale) =>
        w.TryGet(name, out var v) ? Math.Max(0, v) / scale : 1.0;

    /// <summary>The factor applied to a relay of the given flags in the given position.</summary>
    public double Factor(PathPosition position, RelayFlags flags) => _factors[(int)position, ClassOf(flags)];

    /// <summary>The relay's selection weight in <paramref name="position"/>.</summary>
    public double Weight(Relay relay, PathPosition position) => relay.Bandwidth * Factor(position, relay.Flags);

    private static int ClassOf(RelayFlags flags)
    {
        var guard = (flags & RelayFlags.Guard) != 0;
        // A BadExit relay is not counted as an exit when weights are computed (dir-spec 3.8.3).
        var exit = (flags & RelayFlags.Exit) != 0 && (flags & RelayFlags.BadExit) == 0;
        return guard ? (exit ? 0 : 1) : (exit ? 2 : 3);
    }

    /// <summary>
    /// Picks one of <paramref name="candidates"/> with probability proportional to its weight in
    /// <paramref name="position"/>; uniformly when every weight is zero. Null when there are none.
    /// </summary>
    public Relay? Choose(IReadOnlyList<Relay> candidates, PathPosition position, Random random)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(random);
        if (candidates.Count == 0)
            return null;
        var weights = new double[candidates.Count];
        double total = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = Weight(candidates[i], position);
            total += weights[i];
        }
        if (!(total > 0) || double.IsInfinity(total))
            return candidates[random.Next(candidates.Count)];
        var point = random.NextDouble() * total;
        for (var i = 0; i < weights.Length; i++)
        {
            point -= weights[i];
            if (point < 0 && weights[i] > 0)
                return candidates[i];
        }
        // Rounding left the point at the very end: the last relay with a weight.
        for (var i = weights.Length - 1; i >= 0; i--)
        {
            if (weights[i] > 0)
                return candidates[i];
        }
        return candidates[^1];
    }
}
