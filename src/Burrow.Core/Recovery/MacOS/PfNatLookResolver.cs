using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Burrow.Core.Recovery.MacOS;

/// <summary>
/// Recovers the original destination with pf's <c>DIOCNATLOOK</c>: the accepted socket's peer is
/// the state's source, its local side the translated destination; pf answers with the destination
/// before <c>rdr</c>. Looks up PF_OUT first, then PF_IN on ENOENT (which matches locally
/// generated traffic routed to lo0). Semantics read from xnu, not yet run on a real Mac.
/// </summary>
internal sealed class PfNatLookResolver : IOriginalDestinationResolver, IDisposable
{
    public const string MethodName = "DIOCNATLOOK";

    private readonly IPfDevice _device;
    private readonly ILogger _logger;
    private int _warned;
    private int _disposed;

    public PfNatLookResolver(IPfDevice device, ILogger logger)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    public string Method => MethodName;

    public ValueTask<RecoveryResult> ResolveAsync(Socket accepted, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(AcceptedEndPoints.TryRead(accepted, out var endPoints, out var reason)
            ? Resolve(endPoints)
            : RecoveryResult.Failed(MethodName, reason));
    }

    /// <summary>The lookup for one connection (the ioctl is quick and synchronous).</summary>
    public RecoveryResult Resolve(AcceptedEndPoints endPoints)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return RecoveryResult.Failed(MethodName, "the DIOCNATLOOK resolver was stopped");
        }

        var (peer, local) = endPoints;
        if (peer.AddressFamily != local.AddressFamily
            || peer.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return Fail($"unsupported address families {peer.AddressFamily} and {local.AddressFamily}; DIOCNATLOOK handles IPv4 and IPv6");
        }

        Span<byte> pfioc = stackalloc byte[PfNatLook.Size];
        PfNatLook.Encode(pfioc, peer, local, PfDirection.Out);
        var errno = _device.NatLook(pfioc);
        if (errno == DarwinErrno.ENOENT)
        {
            PfNatLook.Encode(pfioc, peer, local, PfDirection.In);
            errno = _device.NatLook(pfioc);
        }

        switch (errno)
        {
            case 0:
                return Found(endPoints, PfNatLook.ReadRedirectDestination(pfioc));
            case DarwinErrno.ENOENT:
                return Missed(endPoints, "no redirect state for this connection (DIOCNATLOOK: ENOENT for PF_OUT and PF_IN)");
            case DarwinErrno.EPERM:
                return Fail("permission denied (EPERM): pf's ioctls need root; run as root (sudo)");
            case DarwinErrno.EINVAL:
                return Fail("invalid argument (EINVAL): internal struct layout error (pfioc_natlook does not match this kernel) or a zero address or port");
            case DarwinErrno.E2BIG:
                return Fail("several pf states match this connection (E2BIG); the rules create overlapping states for one flow");
            default:
                return Fail($"ioctl failed with {DarwinErrno.Describe(errno)}");
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _device.Dispose();
        }
    }

    private RecoveryResult Found(AcceptedEndPoints endPoints, IPEndPoint destination)
    {
        if (destination.Port == 0 || destination.Address.Equals(IPAddress.Any) || destination.Address.Equals(IPAddress.IPv6Any))
        {
            return Fail("the kernel answered with an empty destination (zero address or port)");
        }

        // A lookup can echo the listener itself (a direct connection, or a PF_IN match that
        // carries no translation): that flow was not redirected and must never be forwarded.
        if (destination.Equals(endPoints.Local))
        {
            return Missed(endPoints, "the recovered destination is the listener itself");
        }

        _logger.NatLookFound(endPoints.Peer, endPoints.Local, destination);
        return RecoveryResult.Found(destination, MethodName);
    }

    private RecoveryResult Missed(AcceptedEndPoints endPoints, string reason)
    {
        _logger.NatLookMissed(endPoints.Peer, endPoints.Local, reason);
        return RecoveryResult.NotRedirected(MethodName, reason);
    }

    private RecoveryResult Fail(string reason)
    {
        // Logged once (it usually repeats for every connection); every result carries the reason.
        if (Interlocked.Exchange(ref _warned, 1) == 0)
        {
            _logger.NatLookFailed(reason);
        }

        return RecoveryResult.Failed(MethodName, $"DIOCNATLOOK {reason}");
    }
}
