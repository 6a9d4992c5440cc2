// The consensus "bandwidth-weights" line (dir-spec 3.4.1 footer; how they are used: path-spec 2.2).
namespace Burrow.Tor.NetDoc;

/// <summary>
/// Position weights such as Wgg (guard-flagged relay in guard position). Values are to be
/// divided by the "bwweightscale" parameter. Absent weights read as null: what to do then is
/// the path selector's decision.
/// </summary>
internal sealed class BandwidthWeights
{
    public static BandwidthWeights Empty { get; } = new(new Dictionary<string, int>(StringComparer.Ordinal));

    private readonly Dictionary<string, int> _values;

    private BandwidthWeights(Dictionary<string, int> values) => _values = values;

    public static BandwidthWeights Parse(ReadOnlySpan<byte> arguments, int line) =>
        new(ConsensusParams.ParseEntries(arguments, line, "bandwidth-weights"));

    public bool IsEmpty => _values.Count == 0;

    public IReadOnlyDictionary<string, int> Values => _values;

    public int? this[string name] => _values.TryGetValue(name, out var v) ? v : null;

    public bool TryGet(string name, out int value) => _values.TryGetValue(name, out value);

    public int? Wgg => this["Wgg"];
    public int? Wgm => this["Wgm"];
    public int? Wgd => this["Wgd"];
    public int? Wmg => this["Wmg"];
    public int? Wmm => this["Wmm"];
    public int? Wme => this["Wme"];
    public int? Wmd => this["Wmd"];
    public int? Weg => this["Weg"];
    public int? Wem => this["Wem"];
    public int? Wee => this["Wee"];
    public int? Wed => this["Wed"];
    public int? Wgb => this["Wgb"];
    public int? Wmb => this["Wmb"];
    public int? Web => this["Web"];
    public int? Wdb => this["Wdb"];
    public int? Wbg => this["Wbg"];
    public int? Wbm => this["Wbm"];
    public int? Wbe => this["Wbe"];
    public int? Wbd => this["Wbd"];
}
