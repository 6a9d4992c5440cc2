using Burrow.Core.Upstreams;

namespace Burrow.Core.Networks;

/// <summary>The upstream Tor connector as a network part: started (bootstrapped) before the listener
/// accepts anything, closed after the last flow has ended.</summary>
internal sealed class UpstreamPart(ITorConnector connector) : INetworkPart
{
    public string Name => "upstream";

    public Task StartAsync(IProgress<UpstreamProgress>? progress, CancellationToken cancellationToken)
        => connector.StartAsync(progress, cancellationToken);

    public ValueTask StopAsync() => connector.DisposeAsync();
}
