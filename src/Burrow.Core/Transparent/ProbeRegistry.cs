using System.Collections.Concurrent;
using System.Net;
using Burrow.Core.Recovery;

namespace Burrow.Core.Transparent;

/// <summary>
/// Test-BurrowRedirect's probes, known by the source port they were bound to before connecting.
/// Process-wide, so whichever network's listener a probe reaches recognises it and never forwards it.
/// </summary>
public static class ProbeRegistry
{
    private static readonly ConcurrentDictionary<int, Probe> Probes = new();

    /// <summary>Registers a probe bound to <paramref name="sourcePort"/>; dispose it when done.</summary>
    public static Probe Register(int sourcePort)
    {
        var probe = new Probe(sourcePort);
        if (!Probes.TryAdd(sourcePort, probe))
            throw new InvalidOperationException($"a probe from source port {sourcePort} is already in progress");
        return probe;
    }

    /// <summary>If <paramref name="source"/> is a registered probe, records what the listener saw and returns true.</summary>
    internal static bool TryObserve(IPEndPoint source, string network, IPEndPoint listener, RecoveryResult recovery)
    {
        if (Probes.IsEmpty || !Probes.TryGetValue(source.Port, out var probe))
            return false;
        probe.Observed(new ProbeObservation(network, source, listener, recovery));
        return true;
    }

    internal static void Unregister(Probe probe) => Probes.TryRemove(new KeyValuePair<int, Probe>(probe.SourcePort, probe));
}

/// <summary>What a listener saw of a probe connection.</summary>
public sealed record ProbeObservation(string Network, IPEndPoint Source, IPEndPoint Listener, RecoveryResult Recovery);

/// <summary>One probe in flight.</summary>
public sealed class Probe : IDisposable
{
    private readonly TaskCompletionSource<ProbeObservation> _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal Probe(int sourcePort) => SourcePort = sourcePort;

    public int SourcePort { get; }

    /// <summary>Completes when a listener has seen the probe.</summary>
    public Task<ProbeObservation> Seen => _seen.Task;

    internal void Observed(ProbeObservation observation) => _seen.TrySetResult(observation);

    public void Dispose() => ProbeRegistry.Unregister(this);
}
