using Burrow.Fuzz.Targets;

namespace Burrow.Fuzz;

/// <summary>Every harness, by name.</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<string> Names => [.. Create().Select(t => t.Name)];

    /// <summary>New instances (a harness may hold state such as a DNS handler, so runs do not share one).</summary>
    public static IReadOnlyList<FuzzTarget> Create() =>
    [
        new ChannelCellTarget(),
        new RelayMessageTarget(),
        new CertsTarget(),
        new ConsensusTarget(),
        new MicrodescTarget(),
        new DirResponseTarget(),
        new PayloadTarget(PayloadTarget.Shape.Json),
        new PayloadTarget(PayloadTarget.Shape.Toml),
        new PayloadTarget(PayloadTarget.Shape.Hashtable),
        new DnsTarget(),
    ];

    public static FuzzTarget Get(string name) =>
        Create().FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"no fuzz target '{name}'; targets: {string.Join(", ", Names)}", nameof(name));
}
