using Burrow.Tor.Circuits;
using Burrow.Tor.Identities;
using Burrow.Tor.NetDoc;
using Burrow.Tor.PathSelection;

namespace Burrow.Tor.CircMgr;

/// <summary>
/// A built exit circuit in the pool: its path, when it was built and first used, and the
/// isolation key it is bound to (null while clean). Mutable fields change under the pool's lock.
/// </summary>
internal sealed class PooledCircuit
{
    public PooledCircuit(Circuit circuit, CircuitPath path, DateTime builtAt)
    {
        Circuit = circuit;
        Path = path;
        BuiltAt = builtAt;
        Info = new CircuitInfo(path.Hops.Select(h => (h.Nickname, h.RsaIdentity)).ToList())
        {
            HopHandshakes = circuit.HopHandshakes,
            CongestionControl = circuit.CongestionControlled,
        };
    }

    public Circuit Circuit { get; }

    public CircuitPath Path { get; }

    public CircuitInfo Info { get; }

    public DateTime BuiltAt { get; }

    /// <summary>When the first stream was attached; null while the circuit is clean.</summary>
    public DateTime? FirstUsedAt { get; private set; }

    /// <summary>The isolation key of its streams; null while clean. Streams of other keys never join.</summary>
    public string? IsolationKey { get; private set; }

    /// <summary>Set when a stream on it timed out: no new streams, closed once idle.</summary>
    public bool Retired { get; set; }

    public bool IsClean => FirstUsedAt == null;

    public bool IsClosed => Circuit.IsClosed;

    public RsaIdentity ExitIdentity => Path.Last.RsaIdentity;

    /// <summary>Whether its exit (as the directory described it when the path was chosen) fits the requirement.</summary>
    public bool Supports(ExitRequirement requirement) =>
        PathSelector.IsUsableAsExit(Path.Last, requirement)
        && (!requirement.Stable || Path.Hops.All(h => h.HasFlag(RelayFlags.Stable)));

    /// <summary>Whether a stream of <paramref name="isolationKey"/> may join now.</summary>
    public bool Accepts(string isolationKey, DateTime now, TimeSpan maxDirtiness) =>
        !IsClosed && !Retired
        && (IsolationKey == null || IsolationKey == isolationKey)
        && (FirstUsedAt is not { } first || now - first < maxDirtiness);

    /// <summary>Binds the circuit to the key on first use.</summary>
    public void Claim(string isolationKey, DateTime now)
    {
        IsolationKey ??= isolationKey;
        FirstUsedAt ??= now;
    }

    public override string ToString() => $"circuit {Circuit.CircId:X8} ({Path})";
}
