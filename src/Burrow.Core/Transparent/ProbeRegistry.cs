using System.Collections.Concurrent;
using System.Net;
using Burrow.Core.Net;
using Burrow.Core.Recovery;

namespace Burrow.Core.Transparent;

/// <summary>
/// Test-BurrowRedirect's probes, known by the full source endpoint (address and port) they were bound
/// to before connecting, so an ordinary connection that happens to use the same port from another
/// address is still forwarded. Process-wide, so whichever network's listener a probe reaches
/// recognises it and never forwards it.
/// </summary>
public static class ProbeRegistry
{
    private static readonly ConcurrentDictionary<IPEndPoint, Probe> Probes = new();

    /// <summary>Registers a probe bound to <paramref name="source"/> (IPv4-mapped addresses are unmapped,
    /// as the listener sees them); dispose it when done.</summary>
    public static Probe Register(IPEndPoint source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var probe = new Probe(EndPoints.Unmap(source));
        if (!Probes.TryAdd(probe.Source, probe))
            throw new InvalidOperationException($"a probe from {probe.Source} is already in progress");
        return probe;
    }

    /// <summary>If <paramref name="source"/> is a registered probe, records what the listener saw and returns true.</summary>
    internal static bool TryObserve(IPEndPoint source, string network, IPEndPoint listener, RecoveryResult recovery)
    {
        if (Probes.IsEmpty || !Probes.TryGetValue(EndPoints.Unmap(source), out var probe))
            return false;
        probe.Observed(new ProbeObservation(network, source, listener, recovery));
        return true;
    }

    internal static void Unregister(Probe probe) => Probes.TryRemove(new KeyValuePair<IPEndPoint, Probe>(probe.Source, probe));
}

/// <summary>What a listener saw of a probe connection.</summary>
public sealed record ProbeObservation(string Network, IPEndPoint Source, IPEndPoint Listener, RecoveryResult Recovery);

/// <summary>One probe in flight.</summary>
public sealed class Probe : IDisposable
{
    private readonly TaskCompletionSource<ProbeObservation> _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal Probe(IPEndPoint source) => Source = source;

    /// <summary>The address and port the probe connects from.</summary>
    public IPEndPoint Source { get; }

    /// <summary>Completes when a listener has seen the probe.</summary>
    public Task<ProbeObservation> Seen => _seen.Task;

    internal void Observed(ProbeObservation observation) => _seen.TrySetResult(observation);

    public void Dispose() => ProbeRegistry.Unregister(this);
}
