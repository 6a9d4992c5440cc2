namespace Burrow.Tor.Cells;

/// <summary>NETINFO (tor-spec 4.5): TIME, the other party's address as seen by the sender, and the
/// sender's own addresses. Unexpected bytes at the end are ignored. Clients send TIME 0.</summary>
internal sealed record NetinfoCell(uint Timestamp, NetinfoAddress OtherAddress, IReadOnlyList<NetinfoAddress> MyAddresses) : ChannelMessage
{
    public override ChannelCommand Command => ChannelCommand.Netinfo;

    public DateTimeOffset Time => DateTimeOffset.FromUnixTimeSeconds(Timestamp);

    public override int EncodedLength
    {
        get
        {
            if (MyAddresses.Count > byte.MaxValue)
                throw new CellFormatException($"NETINFO cell: {MyAddresses.Count} addresses exceed NMYADDR (max 255).");
            var n = 4 + AddressLength(OtherAddress) + 1;
            for (var i = 0; i < MyAddresses.Count; i++)
                n += AddressLength(MyAddresses[i]);
            return n;
        }
    }

    private static int AddressLength(NetinfoAddress a) => a.Value.Length <= byte.MaxValue
        ? 2 + a.Value.Length
        : throw new CellFormatException($"NETINFO cell: an address of {a.Value.Length} bytes exceeds ALEN (max 255).");

    public override int Encode(Span<byte> body)
    {
        var w = Writer(body);
        w.WriteUInt32(Timestamp);
        Write(ref w, OtherAddress);
        w.WriteByte((byte)MyAddresses.Count);
        for (var i = 0; i < MyAddresses.Count; i++)
            Write(ref w, MyAddresses[i]);
        return w.Position;
    }

    private static void Write(ref WireWriter w, NetinfoAddress a)
    {
        w.WriteByte(a.Type);
        w.WriteByte((byte)a.Value.Length);
        w.WriteBytes(a.Value.Span);
    }

    public static NetinfoCell Decode(ReadOnlySpan<byte> body)
    {
        var r = new WireReader(body, "NETINFO cell");
        var time = r.ReadUInt32("TIME");
        var other = Read(ref r, "OTHERADDR");
        int n = r.ReadByte("NMYADDR");
        var mine = new NetinfoAddress[n];
        for (var i = 0; i < n; i++)
            mine[i] = Read(ref r, $"MYADDR {i}");
        return new NetinfoCell(time, other, mine);
    }

    private static NetinfoAddress Read(ref WireReader r, string field)
    {
        var type = r.ReadByte($"{field} ATYPE");
        var len = r.ReadByte($"{field} ALEN");
        return new NetinfoAddress(type, r.ReadBytes(len, $"{field} AVAL (ALEN {len})").ToArray());
    }

    public bool Equals(NetinfoCell? other) =>
        other is not null && Timestamp == other.Timestamp && OtherAddress.Equals(other.OtherAddress)
        && ByteEquality.Equal(MyAddresses, other.MyAddresses);

    public override int GetHashCode() => HashCode.Combine(Timestamp, OtherAddress, ByteEquality.Hash(MyAddresses));
}
