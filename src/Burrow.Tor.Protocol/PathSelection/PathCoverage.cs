// Whether there is enough directory information to build circuits (dir-spec 5.4.1;
// "min_paths_for_circs_pct" in param-spec).
using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.PathSelection;

/// <summary>
/// The share of bandwidth-weighted paths the client can build with the microdescriptors it has:
/// for each position, the weight of usable candidates with a microdescriptor divided by the weight
/// of all of them, multiplied over guard, middle and exit. Where every weight is zero (test
/// networks) relays are counted instead.
/// </summary>
internal static class PathCoverage
{
    public static double Fraction(NetworkDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var weights = new RelayWeights(directory);
        var listed = directory.Relays.Where(r => r.HasFlag(RelayFlags.Running | RelayFlags.Valid)).ToList();
        var guard = PositionFraction(listed.Where(r => r.HasFlag(RelayFlags.Guard)), weights, PathPosition.Guard);
        var middle = PositionFraction(listed, weights, PathPosition.Middle);
        var exit = PositionFraction(listed.Where(r => r.HasFlag(RelayFlags.Exit) && !r.HasFlag(RelayFlags.BadExit)), weights, PathPosition.Exit);
        return guard * middle * exit;
    }

    /// <summary>Whether <see cref="Fraction"/> reaches the consensus's min_paths_for_circs_pct.</summary>
    public static bool HasEnoughPaths(NetworkDirectory directory) =>
        Fraction(directory) * 100 >= directory.Params.MinPathsForCircsPct;

    private static double PositionFraction(IEnumerable<Relay> relays, RelayWeights weights, PathPosition position)
    {
        double all = 0, have = 0;
        int count = 0, countHave = 0;
        foreach (var r in relays)
        {
            var w = weights.Weight(r, position);
            all += w;
            count++;
            if (r.HasMicrodescriptor)
            {
                have += w;
                countHave++;
            }
        }
        if (count == 0)
            return 0;
        return all > 0 ? have / all : (double)countHave / count;
    }
}
