// The consensus "params" line (dir-spec 3.4.1; meanings and bounds in param-spec.txt).
using System.Text;

namespace Burrow.Tor.NetDoc;

/// <summary>
/// Keyword=Int32 pairs as voted by the authorities. Values are kept as given; callers read
/// them through <see cref="Get"/>, which applies the parameter's default and clamps to its
/// bounds (see Burrow.Tor.NetDir.NetParameters for the typed view).
/// </summary>
internal sealed class ConsensusParams
{
    private const int MaxEntries = 1024;

    public static ConsensusParams Empty { get; } = new(new Dictionary<string, int>(StringComparer.Ordinal));

    private readonly Dictionary<string, int> _values;

    private ConsensusParams(Dictionary<string, int> values) => _values = values;

    public int Count => _values.Count;

    public IReadOnlyDictionary<string, int> Values => _values;

    public bool TryGet(string name, out int value) => _values.TryGetValue(name, out value);

    /// <summary>The value of <paramref name="name"/>, or <paramref name="defaultValue"/> when absent, clamped to [min, max].</summary>
    public int Get(string name, int defaultValue, int min, int max)
    {
        if (min > max)
            throw new ArgumentException($"min {min} > max {max}");
        var v = _values.TryGetValue(name, out var given) ? given : defaultValue;
        return Math.Clamp(v, min, max);
    }

    public static ConsensusParams Parse(string line) => Parse(Encoding.Latin1.GetBytes(line), 0, "params");

    public static ConsensusParams Parse(ReadOnlySpan<byte> arguments, int line, string keyword) =>
        new(ParseEntries(arguments, line, keyword));

    /// <summary>Parses "Keyword=Int32" entries separated by spaces (shared with "bandwidth-weights").</summary>
    internal static Dictionary<string, int> ParseEntries(ReadOnlySpan<byte> arguments, int line, string keyword)
    {
        var values = new Dictionary<string, int>(StringComparer.Ordinal);
        var args = new ArgReader(arguments, line);
        while (args.TryNext(out var entry))
        {
            var eq = entry.IndexOf((byte)'=');
            if (eq <= 0)
                throw new NetDocException($"'{keyword}' entry '{NetDocText.Latin1(NetDocText.Clip(entry))}' must be 'name=integer'", line);
            var name = NetDocText.Latin1(entry[..eq]);
            if (!NetDocText.TryParseInt32(entry[(eq + 1)..], out var value))
                throw new NetDocException($"'{keyword}' value of '{name}' must be a 32-bit signed integer", line);
            if (!values.TryAdd(name, value))
                throw new NetDocException($"'{keyword}' lists '{name}' twice", line);
            if (values.Count > MaxEntries)
                throw new NetDocException($"'{keyword}' has more than {MaxEntries} entries", line);
        }
        return values;
    }

    public override string ToString() => string.Join(' ', _values.Select(kv => $"{kv.Key}={kv.Value}"));
}
