// Layouts from Linux <netinet/in.h> / <linux/in6.h> (PLATFORM.md "Linux: original destination").
using System.Buffers.Binary;
using System.Net;

namespace Burrow.Core.Recovery.Linux;

/// <summary>Reads the sockaddr_in / sockaddr_in6 that SO_ORIGINAL_DST fills in.</summary>
internal static class SockaddrParser
{
    public const int SockaddrInLength = 16;
    public const int SockaddrIn6Length = 28;
    private const ushort AfInet = 2;
    private const ushort AfInet6 = 10;

    /// <summary>Parses a sockaddr_in (family in host order, port and address in network order).</summary>
    public static IPEndPoint ParseIPv4(ReadOnlySpan<byte> sa)
    {
        if (sa.Length < SockaddrInLength)
            throw new ArgumentException($"sockaddr_in needs {SockaddrInLength} bytes, got {sa.Length}");
        var family = BitConverter.ToUInt16(sa[..2]);
        if (family != AfInet)
            throw new ArgumentException($"sockaddr_in family is {family}, expected AF_INET (2)");
        var port = BinaryPrimitives.ReadUInt16BigEndian(sa[2..4]);
        return new IPEndPoint(new IPAddress(sa.Slice(4, 4)), port);
    }

    /// <summary>Parses a sockaddr_in6 (port in network order; scope id kept for link-local addresses).</summary>
    public static IPEndPoint ParseIPv6(ReadOnlySpan<byte> sa)
    {
        if (sa.Length < SockaddrIn6Length)
            throw new ArgumentException($"sockaddr_in6 needs {SockaddrIn6Length} bytes, got {sa.Length}");
        var family = BitConverter.ToUInt16(sa[..2]);
        if (family != AfInet6)
            throw new ArgumentException($"sockaddr_in6 family is {family}, expected AF_INET6 (10)");
        var port = BinaryPrimitives.ReadUInt16BigEndian(sa[2..4]);
        var scope = BitConverter.ToUInt32(sa.Slice(24, 4));
        return new IPEndPoint(new IPAddress(sa.Slice(8, 16), scope), port);
    }
}
