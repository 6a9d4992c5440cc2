namespace Burrow.Tor.Onion;

/// <summary>Bounds of one onion-service connection attempt (every retry counted and the whole attempt timed).</summary>
internal sealed record OnionServiceOptions
{
    /// <summary>C tor's ClientOnionAuthDir layout: "*.auth_private" files; null for none.</summary>
    public string? ClientAuthDir { get; init; }

    /// <summary>The network is a C tor test network: time periods of one shared-random run (HsDirSchedule).</summary>
    public bool TestingNetwork { get; init; }

    /// <summary>HSDirs asked for a descriptor before giving up (across both shared-random rings).</summary>
    public int MaxHsDirAttempts { get; init; } = 6;

    /// <summary>Introduction points tried (each on its own circuit) before giving up.</summary>
    public int MaxIntroAttempts { get; init; } = 3;

    /// <summary>Rendezvous points tried.</summary>
    public int MaxRendezvousAttempts { get; init; } = 2;

    /// <summary>How long one connection may take in all: descriptor, rendezvous, introduction, stream.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>How long RENDEZVOUS_ESTABLISHED, INTRODUCE_ACK and RENDEZVOUS2 are each waited for.</summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>At most this many descriptors are cached.</summary>
    public int MaxCachedDescriptors { get; init; } = 256;
}
