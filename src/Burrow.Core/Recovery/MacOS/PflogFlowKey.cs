using System.Net;
using System.Net.Sockets;
using Burrow.Core.Net;

namespace Burrow.Core.Recovery.MacOS;

/// <summary>
/// How a pflog SYN is matched to an accepted connection: the connection's source (address family,
/// protocol, address, port). The accepted socket's peer is the same tuple as the logged SYN's
/// source, since rdr rewrites only the destination.
/// </summary>
internal readonly record struct PflogFlowKey(AddressFamily Family, byte Protocol, IPAddress Source, ushort SourcePort)
{
    public const byte Tcp = 6;

    /// <summary>The key of an accepted TCP connection's peer. IPv4-mapped IPv6 is unmapped and an
    /// IPv6 scope id dropped, since the logged packet carries neither.</summary>
    public static PflogFlowKey ForTcpPeer(IPEndPoint peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var address = EndPoints.Unmap(peer.Address);
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out _);
            address = new IPAddress(bytes);
        }

        return new PflogFlowKey(address.AddressFamily, Tcp, address, checked((ushort)peer.Port));
    }

    public override string ToString() => $"{Source}:{SourcePort}/{(Protocol == Tcp ? "tcp" : Protocol.ToString())}";
}
