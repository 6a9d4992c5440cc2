using Burrow.Tor.NetDoc;

namespace Burrow.Tor.Dir;

/// <summary>What the directory manager trusts, where it bootstraps from, and its limits.</summary>
internal sealed record DirectoryManagerOptions
{
    /// <summary>The authorities whose signatures make a consensus valid (more than half must sign).</summary>
    public required IReadOnlyList<DirAuthority> Authorities { get; init; }

    /// <summary>Where to fetch from before a consensus names caches: fallbacks and authority ORPorts.</summary>
    public required IReadOnlyList<DirectoryServer> BootstrapServers { get; init; }

    /// <summary>How long one request (open, send, receive all) may take.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Servers tried for one consensus fetch before giving up.</summary>
    public int MaxConsensusAttempts { get; init; } = 6;

    /// <summary>Servers tried for one batch of microdescriptors.</summary>
    public int MaxMicrodescriptorAttempts { get; init; } = 3;

    /// <summary>Microdescriptor requests in flight at once.</summary>
    public int MaxParallelRequests { get; init; } = 4;

    /// <summary>A consensus valid only this far in the future is still taken (small clock differences).</summary>
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Longest wait between failed refresh attempts.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(60);

    public int MaxConsensusBytes { get; init; } = 32 * 1024 * 1024;

    public int MaxCertificateBytes { get; init; } = 1024 * 1024;

    public int MaxMicrodescriptorBatchBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Certificates kept per authority (the newest; more are pointless).</summary>
    public int MaxCertificatesPerAuthority { get; init; } = 3;
}
