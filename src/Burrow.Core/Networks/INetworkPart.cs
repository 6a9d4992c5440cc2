using Burrow.Core.Upstreams;

namespace Burrow.Core.Networks;

/// <summary>
/// One startable piece of a running network: the destination resolver, the upstream, the
/// connection forwarder, the listener (and, later, redirect rules or a DNS listener).
/// <see cref="BurrowNetwork"/> starts its parts in the order <see cref="BurrowNetworkFactory.ComposeParts"/>
/// lists them and stops them in reverse, on a failed start as on a normal stop.
/// </summary>
internal interface INetworkPart
{
    /// <summary>What the part is, for logs and stop errors (e.g. "listener").</summary>
    string Name { get; }

    /// <summary>Brings the part up. The parts before it are running; the ones after it are not yet.</summary>
    Task StartAsync(IProgress<UpstreamProgress>? progress, CancellationToken cancellationToken);

    /// <summary>Releases what the part holds. Called for every part, in reverse order, when the network
    /// stops or fails to start, so it must also be safe when <see cref="StartAsync"/> never ran or failed.
    /// Called once per network.</summary>
    ValueTask StopAsync();
}
