using Burrow.Fuzz.Targets;

namespace Burrow.Fuzz;

/// <summary>Every harness, by name. Names are listed without constructing harnesses: under AFL the parsers'
/// assemblies are instrumented, and instrumented code must not run before SharpFuzz has set up its shared memory.</summary>
public static class FuzzTargets
{
    private static readonly (string Name, Func<FuzzTarget> Create)[] All =
    [
        ("cell-reader", () => new ChannelCellTarget()),
        ("relay-message", () => new RelayMessageTarget()),
        ("certs", () => new CertsTarget()),
        ("consensus", () => new ConsensusTarget()),
        ("microdesc", () => new MicrodescTarget()),
        ("dir-response", () => new DirResponseTarget()),
        ("payload-json", () => new PayloadTarget(PayloadTarget.Shape.Json)),
        ("payload-toml", () => new PayloadTarget(PayloadTarget.Shape.Toml)),
        ("payload-hashtable", () => new PayloadTarget(PayloadTarget.Shape.Hashtable)),
        ("dns", () => new DnsTarget()),
    ];

    public static IReadOnlyList<string> Names => [.. All.Select(t => t.Name)];

    /// <summary>New instances (a harness may hold state such as a DNS handler, so runs do not share one).</summary>
    public static IReadOnlyList<FuzzTarget> Create() => [.. All.Select(t => t.Create())];

    public static FuzzTarget Get(string name)
    {
        var entry = All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
        if (entry.Create is null)
            throw new ArgumentException($"no fuzz target '{name}'; targets: {string.Join(", ", Names)}", nameof(name));
        var target = entry.Create();
        if (target.Name != entry.Name)
            throw new InvalidOperationException($"fuzz target registered as '{entry.Name}' calls itself '{target.Name}'");
        return target;
    }
}
