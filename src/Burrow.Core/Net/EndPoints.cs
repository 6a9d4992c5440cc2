using System.Net;

namespace Burrow.Core.Net;

/// <summary>
/// Address helpers shared by the listener, recovery and upstreams. A dual-stack socket reports IPv4
/// peers as ::ffff:a.b.c.d; flows, conntrack, pf and SOCKS all speak of them as plain IPv4, so every
/// endpoint is unmapped here, once, the same way.
/// </summary>
internal static class EndPoints
{
    /// <summary>The IPv4 address behind an IPv4-mapped IPv6 address; any other address unchanged.</summary>
    public static IPAddress Unmap(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>The endpoint with its address unmapped (<see cref="Unmap(IPAddress)"/>).</summary>
    public static IPEndPoint Unmap(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
}
