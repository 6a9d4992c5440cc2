using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Burrow.Core.Net;

namespace Burrow.Core.Recovery.MacOS;

/// <summary>
/// Byte-exact layout of <c>struct pfioc_natlook</c> (xnu <c>bsd/net/pfvar.h</c>), the argument of
/// <c>DIOCNATLOOK</c>: 84 bytes, 4-byte alignment. Offsets were read from the xnu headers
/// (docs PLATFORM.md, "macOS: PF DIOCNATLOOK") and have not yet been run on a real Mac.
/// </summary>
/// <remarks>
/// <c>struct pf_addr</c> is a 16-byte union (an IPv4 address uses its first 4 bytes);
/// <c>union pf_state_xport</c> is 4 bytes whose first 2 hold the port in network order.
/// </remarks>
internal static class PfNatLook
{
    public const int Size = 84;

    public const int SourceAddressOffset = 0;
    public const int DestinationAddressOffset = 16;
    public const int RedirectSourceAddressOffset = 32;
    public const int RedirectDestinationAddressOffset = 48;
    public const int SourcePortOffset = 64;
    public const int DestinationPortOffset = 68;
    public const int RedirectSourcePortOffset = 72;
    public const int RedirectDestinationPortOffset = 76;
    public const int AddressFamilyOffset = 80;
    public const int ProtocolOffset = 81;
    public const int ProtocolVariantOffset = 82;
    public const int DirectionOffset = 83;

    private const int PfAddrSize = 16;
    private const int XportSize = 4;

    /// <summary>AF_INET on macOS.</summary>
    public const byte AfInet = 2;

    /// <summary>AF_INET6 on macOS (30; Linux uses 10).</summary>
    public const byte AfInet6 = 30;

    public const byte IpProtoTcp = 6;

    /// <summary>
    /// Fills <paramref name="buffer"/> with a TCP lookup: <paramref name="source"/> is the accepted
    /// socket's peer (saddr/sxport), <paramref name="destination"/> its local side (daddr/dxport).
    /// The out fields are zeroed. Both endpoints must be of one family (IPv4-mapped IPv6 is unmapped).
    /// </summary>
    public static void Encode(Span<byte> buffer, IPEndPoint source, IPEndPoint destination, PfDirection direction)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        if (buffer.Length < Size)
        {
            throw new ArgumentException($"A pfioc_natlook buffer must be {Size} bytes; got {buffer.Length}.", nameof(buffer));
        }

        var src = EndPoints.Unmap(source.Address);
        var dst = EndPoints.Unmap(destination.Address);
        if (src.AddressFamily != dst.AddressFamily)
        {
            throw new ArgumentException(
                $"DIOCNATLOOK needs both endpoints in one address family; got {src.AddressFamily} and {dst.AddressFamily}.");
        }

        var pfioc = buffer[..Size];
        pfioc.Clear();
        WriteAddress(pfioc.Slice(SourceAddressOffset, PfAddrSize), src);
        WriteAddress(pfioc.Slice(DestinationAddressOffset, PfAddrSize), dst);
        BinaryPrimitives.WriteUInt16BigEndian(pfioc.Slice(SourcePortOffset, XportSize), checked((ushort)source.Port));
        BinaryPrimitives.WriteUInt16BigEndian(pfioc.Slice(DestinationPortOffset, XportSize), checked((ushort)destination.Port));
        pfioc[AddressFamilyOffset] = FamilyCode(src.AddressFamily);
        pfioc[ProtocolOffset] = IpProtoTcp;
        pfioc[ProtocolVariantOffset] = 0;
        pfioc[DirectionOffset] = (byte)direction;
    }

    /// <summary>Reads the original destination (rdaddr/rdxport) the kernel wrote back.</summary>
    public static IPEndPoint ReadRedirectDestination(ReadOnlySpan<byte> buffer)
    {
        var family = ReadFamily(buffer);
        return ReadEndPoint(buffer, RedirectDestinationAddressOffset, RedirectDestinationPortOffset, family);
    }

    /// <summary>Decodes every field (the reverse of <see cref="Encode"/>, plus the out fields).</summary>
    public static PfNatLookFields Decode(ReadOnlySpan<byte> buffer)
    {
        var family = ReadFamily(buffer);
        return new PfNatLookFields(
            ReadEndPoint(buffer, SourceAddressOffset, SourcePortOffset, family),
            ReadEndPoint(buffer, DestinationAddressOffset, DestinationPortOffset, family),
            ReadEndPoint(buffer, RedirectSourceAddressOffset, RedirectSourcePortOffset, family),
            ReadEndPoint(buffer, RedirectDestinationAddressOffset, RedirectDestinationPortOffset, family),
            buffer[AddressFamilyOffset],
            buffer[ProtocolOffset],
            buffer[ProtocolVariantOffset],
            (PfDirection)buffer[DirectionOffset]);
    }

    public static byte FamilyCode(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => AfInet,
        AddressFamily.InterNetworkV6 => AfInet6,
        _ => throw new ArgumentException($"DIOCNATLOOK supports IPv4 and IPv6 only; got {family}."),
    };

    private static AddressFamily ReadFamily(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length < Size)
        {
            throw new ArgumentException($"A pfioc_natlook buffer must be {Size} bytes; got {buffer.Length}.", nameof(buffer));
        }

        return buffer[AddressFamilyOffset] switch
        {
            AfInet => AddressFamily.InterNetwork,
            AfInet6 => AddressFamily.InterNetworkV6,
            var af => throw new ArgumentException($"pfioc_natlook.af is {af}; accepted: {AfInet} (AF_INET) or {AfInet6} (AF_INET6)."),
        };
    }

    private static void WriteAddress(Span<byte> pfAddr, IPAddress address)
    {
        if (!address.TryWriteBytes(pfAddr, out _))
        {
            throw new ArgumentException($"Cannot encode address {address} into a pf_addr.");
        }
    }

    private static IPEndPoint ReadEndPoint(ReadOnlySpan<byte> buffer, int addressOffset, int portOffset, AddressFamily family)
    {
        var length = family == AddressFamily.InterNetwork ? 4 : 16;
        var address = new IPAddress(buffer.Slice(addressOffset, length));
        var port = BinaryPrimitives.ReadUInt16BigEndian(buffer.Slice(portOffset, 2));
        return new IPEndPoint(address, port);
    }
}
