namespace Burrow.Tor.Client;

/// <summary>
/// A read-only snapshot of one of the client's circuits, from <see cref="TorClient.GetCircuits"/> and
/// the circuit events. <see cref="Id"/> is the client's own number for the circuit (1, 2, ...), stable
/// for the circuit's life; connections carry it as <see cref="TorConnection.CircuitId"/>.
/// </summary>
public sealed record TorCircuitInfo
{
    public required long Id { get; init; }

    /// <summary>What the circuit is for: "exit" (streams to destinations).</summary>
    public required string Purpose { get; init; }

    /// <summary>The relays, guard first.</summary>
    public required IReadOnlyList<TorCircuitHop> Hops { get; init; }

    public required DateTime BuiltAt { get; init; }

    /// <summary>When its first stream was attached; null while clean.</summary>
    public DateTime? FirstUsedAt { get; init; }

    /// <summary>How long it has existed (at the snapshot).</summary>
    public required TimeSpan Age { get; init; }

    /// <summary>It has carried a stream: it takes new ones only for MaxCircuitDirtiness after the first.</summary>
    public bool IsDirty => FirstUsedAt != null;

    /// <summary>Whether a new stream may still use it: false once retired (new identity, a stream timed out),
    /// too dirty, or closed.</summary>
    public required bool IsUsable { get; init; }

    /// <summary>The isolation key its streams share (for Burrow: the redirected client's address); null while clean.</summary>
    public string? IsolationKey { get; init; }

    /// <summary>Streams open on it now.</summary>
    public required int Streams { get; init; }

    /// <summary>Bytes written to its streams (towards the destinations) and read from them.</summary>
    public required long BytesSent { get; init; }

    public required long BytesReceived { get; init; }

    public TorCircuitHop Exit => Hops[^1];

    /// <summary>"guard (A1B2..) -> middle (C3D4..) -> exit (E5F6..)".</summary>
    public string Path => string.Join(" -> ", Hops);

    public override string ToString() => $"circuit {Id} ({Path})";
}
