using System.Net;
using System.Net.Sockets;

namespace Burrow.Tor.Cells;

/// <summary>An address in a NETINFO cell (tor-spec 4.5): ATYPE, and the raw AVAL. Types other than
/// IPv4 (4) and IPv6 (6), and known types with the wrong length, are kept but yield no <see cref="Address"/>
/// (the spec says to ignore them).</summary>
internal sealed record NetinfoAddress(byte Type, ReadOnlyMemory<byte> Value)
{
    public const byte IPv4Type = 0x04;
    public const byte IPv6Type = 0x06;

    public static NetinfoAddress From(IPAddress address) => address.AddressFamily switch
    {
        AddressFamily.InterNetwork => new NetinfoAddress(IPv4Type, address.GetAddressBytes()),
        AddressFamily.InterNetworkV6 => new NetinfoAddress(IPv6Type, address.GetAddressBytes()),
        _ => throw new CellFormatException($"NETINFO cell: address {address} is neither IPv4 nor IPv6."),
    };

    /// <summary>The IP address, or null when the type is unknown or ALEN does not match it.</summary>
    public IPAddress? Address => (Type, Value.Length) switch
    {
        (IPv4Type, 4) or (IPv6Type, 16) => new IPAddress(Value.Span),
        _ => null,
    };

    public bool Equals(NetinfoAddress? other) => other is not null && Type == other.Type && ByteEquality.Equal(Value, other.Value);
    public override int GetHashCode() => HashCode.Combine(Type, ByteEquality.Hash(Value));
}
