using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Burrow.Core.Recovery.MacOS;

/// <summary>
/// The macOS resolver: DIOCNATLOOK first, then (when enabled) the pflog0 observer's cache. A found
/// result's Method names the mechanism that answered. Owns the devices and the observer: dispose
/// it when the network stops.
/// </summary>
internal sealed class MacOSChainResolver : IOriginalDestinationResolver, IAsyncDisposable, IDisposable
{
    private readonly PfNatLookResolver _natLook;
    private readonly PflogResolver? _pflog;
    private readonly PflogObserver? _observer;

    public MacOSChainResolver(PfNatLookResolver natLook, PflogResolver? pflog = null, PflogObserver? observer = null)
    {
        _natLook = natLook ?? throw new ArgumentNullException(nameof(natLook));
        _pflog = pflog;
        _observer = observer;
        Method = pflog is null ? PfNatLookResolver.MethodName : $"{PfNatLookResolver.MethodName}+{PflogResolver.MethodName}";
    }

    /// <summary>"DIOCNATLOOK", or "DIOCNATLOOK+pflog0" with the fallback.</summary>
    public string Method { get; }

    public bool HasPflogFallback => _pflog is not null;

    internal PflogObserver? Observer => _observer;

    public ValueTask<RecoveryResult> ResolveAsync(Socket accepted, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return AcceptedEndPoints.TryRead(accepted, out var endPoints, out var reason)
            ? ResolveAsync(endPoints, cancellationToken)
            : ValueTask.FromResult(RecoveryResult.Failed(Method, reason));
    }

    public async ValueTask<RecoveryResult> ResolveAsync(AcceptedEndPoints endPoints, CancellationToken cancellationToken)
    {
        var primary = _natLook.Resolve(endPoints);
        if (primary.Status == RecoveryStatus.Found)
        {
            _pflog?.Forget(endPoints.Peer);
            return primary;
        }

        if (_pflog is null)
        {
            return primary;
        }

        // Also after a DIOCNATLOOK failure: the fallback exists for kernels where the lookup does not work.
        var fallback = await _pflog.ResolveAsync(endPoints, cancellationToken).ConfigureAwait(false);
        if (fallback.Status == RecoveryStatus.Found)
        {
            return fallback;
        }

        var reason = $"{primary.Reason}; pflog0: {fallback.Reason}";
        return primary.Status == RecoveryStatus.Failed || fallback.Status == RecoveryStatus.Failed
            ? RecoveryResult.Failed(Method, reason)
            : RecoveryResult.NotRedirected(Method, reason);
    }

    public async ValueTask DisposeAsync()
    {
        if (_observer is not null)
        {
            await _observer.DisposeAsync().ConfigureAwait(false);
        }

        _natLook.Dispose();
    }

    public void Dispose()
    {
        _observer?.Dispose();
        _natLook.Dispose();
    }
}
