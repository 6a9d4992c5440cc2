using System.Net;
using System.Net.Sockets;

namespace Burrow.Tor.Cells;

/// <summary>RELAY_CONNECTED (tor-spec 6.2): empty (BEGIN_DIR), IPv4 address + TTL, or four zero bytes,
/// type 6, IPv6 address + TTL. Bytes after a complete form are ignored.</summary>
internal sealed record ConnectedMessage(IPAddress? Address = null, uint Ttl = 0) : RelayMessage
{
    private const string What = "RELAY_CONNECTED";
    private const byte IPv6Type = 6;

    public static ConnectedMessage Empty { get; } = new();

    public override RelayCommand Command => RelayCommand.Connected;

    public override int EncodedLength => Address?.AddressFamily switch
    {
        null => 0,
        AddressFamily.InterNetwork when Address.Equals(IPAddress.Any) =>
            throw new CellFormatException($"{What}: IPv4 0.0.0.0 cannot be sent; four zero bytes introduce the IPv6 form."),
        AddressFamily.InterNetwork => 8,
        AddressFamily.InterNetworkV6 => 25,
        _ => throw new CellFormatException($"{What}: address {Address} is neither IPv4 nor IPv6."),
    };

    public override int Encode(Span<byte> data)
    {
        var w = Writer(data);
        if (Address is null)
            return 0;
        if (Address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            w.WriteUInt32(0);
            w.WriteByte(IPv6Type);
        }
        WireAddress.Write(ref w, Address);
        w.WriteUInt32(Ttl);
        return w.Position;
    }

    public static ConnectedMessage Decode(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
            return Empty;
        var r = new WireReader(data, What);
        var v4 = r.ReadBytes(4, "IPv4 address");
        if (v4.IndexOfAnyExcept((byte)0) >= 0)
            return new ConnectedMessage(WireAddress.Read(v4), r.ReadUInt32("TTL"));
        var type = r.ReadByte("address type");
        if (type != IPv6Type)
            throw new CellFormatException($"{What}: address type {type} after four zero bytes; only 6 (IPv6) is defined.");
        var v6 = r.ReadBytes(16, "IPv6 address");
        return new ConnectedMessage(WireAddress.Read(v6), r.ReadUInt32("TTL"));
    }
}
