namespace Burrow.Tor.Client;

/// <summary>A circuit that could not be built: the relays tried (nicknames, guard first) and why.</summary>
public sealed record TorCircuitFailure(IReadOnlyList<string> Path, string Reason, DateTime At)
{
    public override string ToString() => $"circuit through {string.Join(" -> ", Path)} {Reason}";
}
