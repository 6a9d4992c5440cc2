using Burrow.Tor.NetDir;

namespace Burrow.Tor.PathSelection;

/// <summary>A chosen path: relays in circuit order (guard first, exit last).</summary>
internal sealed class CircuitPath
{
    public CircuitPath(IReadOnlyList<Relay> hops)
    {
        ArgumentNullException.ThrowIfNull(hops);
        if (hops.Count == 0)
            throw new ArgumentException("a path has at least one relay", nameof(hops));
        Hops = hops;
    }

    public IReadOnlyList<Relay> Hops { get; }

    public Relay First => Hops[0];

    public Relay Last => Hops[^1];

    public override string ToString() => string.Join(" -> ", Hops.Select(h => h.Nickname));
}
