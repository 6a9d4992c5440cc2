using System.Net;
using System.Net.Sockets;
using Burrow.Core.Net;

namespace Burrow.Core.Recovery.MacOS;

/// <summary>The two ends of an accepted connection, as pf sees them (IPv4-mapped IPv6 unmapped).</summary>
internal readonly record struct AcceptedEndPoints(IPEndPoint Peer, IPEndPoint Local)
{
    /// <summary>Reads the peer and local endpoints; false with a reason when the socket has none
    /// (closed, not connected, not IP).</summary>
    public static bool TryRead(Socket accepted, out AcceptedEndPoints endPoints, out string reason)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        endPoints = default;
        try
        {
            if (accepted.RemoteEndPoint is IPEndPoint peer && accepted.LocalEndPoint is IPEndPoint local)
            {
                endPoints = Of(peer, local);
                reason = string.Empty;
                return true;
            }

            reason = "the accepted socket has no IP peer and local endpoint";
            return false;
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            reason = $"the accepted socket's endpoints are unavailable: {e.Message}";
            return false;
        }
    }

    public static AcceptedEndPoints Of(IPEndPoint peer, IPEndPoint local) => new(EndPoints.Unmap(peer), EndPoints.Unmap(local));
}
