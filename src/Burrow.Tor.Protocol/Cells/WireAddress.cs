using System.Net;
using System.Net.Sockets;

namespace Burrow.Tor.Cells;

/// <summary>IPv4/IPv6 addresses in network byte order, as every cell carries them.</summary>
internal static class WireAddress
{
    public static IPAddress Read(ReadOnlySpan<byte> bytes) => new(bytes);

    public static int LengthOf(IPAddress address) => address.AddressFamily switch
    {
        AddressFamily.InterNetwork => 4,
        AddressFamily.InterNetworkV6 => 16,
        _ => throw new CellFormatException($"Address {address} is neither IPv4 nor IPv6."),
    };

    public static byte[] ToBytes(IPAddress address)
    {
        LengthOf(address);
        return address.GetAddressBytes();
    }

    public static void Write(ref WireWriter w, IPAddress address)
    {
        Span<byte> tmp = stackalloc byte[16];
        if (!address.TryWriteBytes(tmp, out var n))
            throw new CellFormatException($"Address {address} cannot be encoded.");
        w.WriteBytes(tmp[..n]);
    }
}
