// Linux netfilter: getsockopt(SOL_IP, SO_ORIGINAL_DST = 80) and getsockopt(SOL_IPV6,
// IP6T_SO_ORIGINAL_DST = 80) return the pre-NAT destination of a REDIRECT/DNAT'ed connection
// (<linux/netfilter_ipv4.h>, <linux/netfilter_ipv6/ip6_tables.h>; PLATFORM.md).
using System.Net;
using System.Net.Sockets;
using Burrow.Core.Net;

namespace Burrow.Core.Recovery.Linux;

/// <summary>Recovers original destinations from conntrack through SO_ORIGINAL_DST (IPv4 and IPv6).</summary>
internal sealed class SoOriginalDstResolver : IOriginalDestinationResolver
{
    public const string MethodName = "SO_ORIGINAL_DST";
    private const int SolIp = 0;
    private const int SolIpv6 = 41;
    private const int SoOriginalDst = 80;
    private const int Enoent = 2;
    private const int Enoprotoopt = 92;

    public string Method => MethodName;

    public ValueTask<RecoveryResult> ResolveAsync(Socket accepted, CancellationToken cancellationToken)
        => ValueTask.FromResult(Resolve(accepted));

    public static RecoveryResult Resolve(Socket accepted)
    {
        if (accepted.LocalEndPoint is not IPEndPoint local)
            return RecoveryResult.Failed(MethodName, "the accepted socket has no local IP endpoint");
        // A dual-stack socket carrying IPv4 (IPv4-mapped local address) answers only the SOL_IP call.
        var ipv4 = EndPoints.Unmap(local.Address).AddressFamily == AddressFamily.InterNetwork;
        Span<byte> buffer = stackalloc byte[SockaddrParser.SockaddrIn6Length];
        try
        {
            if (ipv4)
            {
                var n = accepted.GetRawSocketOption(SolIp, SoOriginalDst, buffer[..SockaddrParser.SockaddrInLength]);
                var ep = SockaddrParser.ParseIPv4(buffer[..n]);
                return Check(ep, local);
            }
            else
            {
                var n = accepted.GetRawSocketOption(SolIpv6, SoOriginalDst, buffer);
                var ep = SockaddrParser.ParseIPv6(buffer[..n]);
                return Check(ep, local);
            }
        }
        catch (SocketException e) when (e.NativeErrorCode == Enoent || e.SocketErrorCode == SocketError.AddressNotAvailable)
        {
            return RecoveryResult.NotRedirected(MethodName, "no conntrack NAT entry for this connection (it was not redirected)");
        }
        catch (SocketException e) when (e.NativeErrorCode == Enoprotoopt || e.SocketErrorCode == SocketError.ProtocolOption)
        {
            return RecoveryResult.Failed(MethodName, "SO_ORIGINAL_DST is not available (is conntrack/nf_nat loaded?): " + e.Message);
        }
        catch (SocketException e)
        {
            return RecoveryResult.Failed(MethodName, $"getsockopt(SO_ORIGINAL_DST) failed: {e.Message} (errno {e.NativeErrorCode})");
        }
        catch (ArgumentException e)
        {
            return RecoveryResult.Failed(MethodName, "unexpected SO_ORIGINAL_DST answer: " + e.Message);
        }
    }

    /// <summary>A connection whose "original" destination is the listener itself was addressed to us
    /// directly (conntrack reports the unchanged destination): never forward it.</summary>
    internal static RecoveryResult Check(IPEndPoint original, IPEndPoint local)
    {
        var o = EndPoints.Unmap(original);
        var l = EndPoints.Unmap(local);
        if (o.Port == l.Port && o.Address.Equals(l.Address))
            return RecoveryResult.NotRedirected(MethodName, $"addressed to the listener itself ({o})");
        return RecoveryResult.Found(o, MethodName);
    }
}
