using Burrow.Core.Recovery;
using Burrow.Core.Upstreams;

namespace Burrow.Core.Networks;

/// <summary>The original-destination resolver as a network part. It is ready once built; some own
/// devices and readers (macOS: /dev/pf, a BPF device, the pflog0 reader) that stopping releases.</summary>
internal sealed class ResolverPart(IOriginalDestinationResolver resolver) : INetworkPart
{
    public string Name => "destination recovery";

    public Task StartAsync(IProgress<UpstreamProgress>? progress, CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask StopAsync() => resolver is IAsyncDisposable disposable ? disposable.DisposeAsync() : ValueTask.CompletedTask;
}
