using System.Net;
using System.Net.Sockets;

namespace Burrow.Core.Dns;

/// <summary>
/// Addresses a DNS answer from an exit must never point at (the idea of C tor's
/// ClientDNSRejectInternalAddresses): this host, its LAN, link-local, shared and reserved space,
/// and IPv6 forms that embed such an IPv4 address. Otherwise a name could steer a program on this
/// host to the LAN while it believes it is talking through Tor.
/// </summary>
internal static class InternalAddress
{
    private static readonly IPNetwork[] V4 =
    [
        IPNetwork.Parse("0.0.0.0/8"),        // "this network"
        IPNetwork.Parse("10.0.0.0/8"),       // RFC 1918
        IPNetwork.Parse("100.64.0.0/10"),    // RFC 6598 shared (carrier-grade NAT)
        IPNetwork.Parse("127.0.0.0/8"),      // loopback
        IPNetwork.Parse("169.254.0.0/16"),   // link-local
        IPNetwork.Parse("172.16.0.0/12"),    // RFC 1918
        IPNetwork.Parse("192.0.0.0/24"),     // IETF protocol assignments
        IPNetwork.Parse("192.168.0.0/16"),   // RFC 1918
        IPNetwork.Parse("198.18.0.0/15"),    // benchmarking, often used inside labs
        IPNetwork.Parse("224.0.0.0/4"),      // multicast
        IPNetwork.Parse("240.0.0.0/4"),      // reserved and broadcast
    ];

    private static readonly IPNetwork[] V6 =
    [
        IPNetwork.Parse("::/128"),           // unspecified
        IPNetwork.Parse("::1/128"),          // loopback
        IPNetwork.Parse("64:ff9b:1::/48"),   // RFC 8215 local-use NAT64
        IPNetwork.Parse("100::/64"),         // discard-only
        IPNetwork.Parse("fc00::/7"),         // unique local
        IPNetwork.Parse("fe80::/10"),        // link-local
        IPNetwork.Parse("fec0::/10"),        // deprecated site-local
        IPNetwork.Parse("ff00::/8"),         // multicast
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");
    private static readonly IPNetwork V4Compatible = IPNetwork.Parse("::/96");

    public static bool IsInternal(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return Contains(V4, address);
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return true;

        if (address.IsIPv4MappedToIPv6)
            return IsInternal(address.MapToIPv4());
        if (Contains(V6, address))
            return true;

        var bytes = address.GetAddressBytes();
        // Forms that carry an IPv4 address inside: judge the IPv4 address.
        if (Nat64.Contains(address) || V4Compatible.Contains(address))
            return IsInternal(new IPAddress(bytes.AsSpan(12, 4)));
        if (SixToFour.Contains(address))
            return IsInternal(new IPAddress(bytes.AsSpan(2, 4)));
        return false;
    }

    private static bool Contains(IPNetwork[] networks, IPAddress address)
    {
        foreach (var network in networks)
        {
            if (network.Contains(address))
                return true;
        }

        return false;
    }
}
