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

    // Path bias use state (path-spec 7.2), read when the circuit closes.
    private int _useAttempted;
    private int _useSucceeded;
    private int _useFailed;

    /// <summary>A stream was attached to it.</summary>
    public bool UseAttempted => Volatile.Read(ref _useAttempted) != 0;

    /// <summary>The exit answered a stream as expected (and no later attempt timed out).</summary>
    public bool UseSucceeded => Volatile.Read(ref _useSucceeded) != 0 && Volatile.Read(ref _useFailed) == 0;

    /// <summary>Records how a stream attempt on it went (path-spec 7.2): an expected answer marks it used
    /// successfully; a timeout clears that; DESTROY, TORPROTOCOL or INTERNAL make it a use failure for good.</summary>
    public void NoteUse(StreamUseOutcome outcome)
    {
        Volatile.Write(ref _useAttempted, 1);
        switch (outcome)
        {
            case StreamUseOutcome.Answered:
                Volatile.Write(ref _useSucceeded, 1);
                break;
            case StreamUseOutcome.TimedOut:
                Volatile.Write(ref _useSucceeded, 0);
                break;
            default:
                Volatile.Write(ref _useFailed, 1);
                break;
        }
    }

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
