using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Burrow.Core.Recovery.MacOS;

/// <summary>
/// Recovers the original destination from the pflog0 observer's cache: the SYN that the outbound
/// <c>pass out log route-to lo0</c> rule logged, keyed by the accepted socket's peer. Waits briefly
/// when accept() won the race against the BPF read. Not yet run on a real Mac.
/// </summary>
internal sealed class PflogResolver : IOriginalDestinationResolver
{
    public const string MethodName = "pflog0";

    private readonly PflogFlowCache _cache;
    private readonly TimeSpan _wait;
    private readonly Func<string?> _faultReason;
    private readonly ILogger _logger;

    /// <param name="faultReason">Why the observer feeding the cache stopped, or null while it runs.</param>
    public PflogResolver(PflogFlowCache cache, TimeSpan wait, Func<string?> faultReason, ILogger logger)
    {
        _cache = cache ?? throw new ArgumentNullException(nameof(cache));
        _faultReason = faultReason ?? throw new ArgumentNullException(nameof(faultReason));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _wait = wait;
    }

    public string Method => MethodName;

    public ValueTask<RecoveryResult> ResolveAsync(Socket accepted, CancellationToken cancellationToken) =>
        AcceptedEndPoints.TryRead(accepted, out var endPoints, out var reason)
            ? ResolveAsync(endPoints, cancellationToken)
            : ValueTask.FromResult(RecoveryResult.Failed(MethodName, reason));

    public async ValueTask<RecoveryResult> ResolveAsync(AcceptedEndPoints endPoints, CancellationToken cancellationToken)
    {
        if (endPoints.Peer.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return RecoveryResult.Failed(MethodName, $"unsupported address family {endPoints.Peer.AddressFamily}");
        }

        var destination = await _cache.TakeAsync(PflogFlowKey.ForTcpPeer(endPoints.Peer), _wait, cancellationToken).ConfigureAwait(false);
        if (destination is null)
        {
            if (_faultReason() is { } fault)
            {
                return RecoveryResult.Failed(MethodName, $"the pflog0 observer stopped ({fault})");
            }

            return Missed(endPoints, $"no logged SYN from this connection's source within {_wait.TotalMilliseconds:0} ms");
        }

        if (destination.Equals(endPoints.Local))
        {
            return Missed(endPoints, "the logged destination is the listener itself");
        }

        return RecoveryResult.Found(destination, MethodName);
    }

    /// <summary>Drops a cached record for a connection resolved another way, so it cannot be
    /// matched later by a new connection that reuses the source port.</summary>
    public void Forget(IPEndPoint peer) => _cache.Discard(PflogFlowKey.ForTcpPeer(peer));

    private RecoveryResult Missed(AcceptedEndPoints endPoints, string reason)
    {
        _logger.PflogMissed(endPoints.Peer, endPoints.Local, reason);
        return RecoveryResult.NotRedirected(MethodName, reason);
    }
}
