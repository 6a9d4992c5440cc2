using System.Net;
using Burrow.Core.Dns;
using Burrow.Core.Upstreams;
using Microsoft.Extensions.Logging;

namespace Burrow.Core.Networks;

/// <summary>
/// The DNS listener as a network part: started after the upstream (lookups need Tor) and before the
/// listeners and the rules, so a captured query always finds it; stopped after the rules are gone.
/// </summary>
internal sealed class DnsPart : INetworkPart
{
    private readonly DnsListener _listener;

    public DnsPart(DnsListenerOptions options, VirtualAddressMap addressMap, IDnsResolver resolver, IsolationPolicy isolation, ILogger logger)
    {
        _listener = new DnsListener(options, addressMap, resolver, (client, name) => isolation.DnsKey(client.Address, name), logger);
    }

    public string Name => "DNS listener";

    public DnsListener Listener => _listener;

    /// <summary>The first bound endpoint's port (the same on every address); null before start.</summary>
    public int? Port => _listener.Endpoints.Count > 0 ? _listener.Endpoints[0].Port : null;

    public IReadOnlyList<IPEndPoint> Endpoints => _listener.Endpoints;

    public Task StartAsync(IProgress<UpstreamProgress>? progress, CancellationToken cancellationToken) => _listener.StartAsync(cancellationToken);

    public ValueTask StopAsync() => _listener.DisposeAsync();
}
