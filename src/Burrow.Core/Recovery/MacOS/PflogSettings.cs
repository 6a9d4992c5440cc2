namespace Burrow.Core.Recovery.MacOS;

/// <summary>Tuning of the pflog0 fallback (defaults suit a workstation or a small gateway).</summary>
internal sealed record PflogSettings
{
    public static PflogSettings Default { get; } = new();

    /// <summary>The pflog interface to read.</summary>
    public string Interface { get; init; } = "pflog0";

    /// <summary>How long a logged SYN stays usable. A connection is accepted milliseconds after its
    /// SYN; the TTL only bounds how long a source port's stale entry could be mistaken for a new flow.</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Most entries kept; the oldest is evicted first.</summary>
    public int Capacity { get; init; } = 4096;

    /// <summary>How long a lookup waits for a record when accept() won the race against the BPF read.</summary>
    public TimeSpan LateRecordWait { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>BPF read timeout: how quickly the read loop notices it should stop.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromMilliseconds(500);
}
