using System.Net;

namespace Burrow.Tor.Cells;

/// <summary>RELAY_END (tor-spec 6.3): a reason byte; for REASON_EXITPOLICY optionally the refused IPv4 or
/// IPv6 address and a TTL. An empty END means <see cref="EndReason.Misc"/>; an absent TTL means 0xFFFFFFFF;
/// an address of the wrong length is dropped and the END still processed, as the spec asks.</summary>
internal sealed record EndMessage(EndReason Reason, IPAddress? Address = null, uint? Ttl = null) : RelayMessage
{
    private const string What = "RELAY_END";

    public override RelayCommand Command => RelayCommand.End;

    /// <summary>The TTL to use: absent means 0xFFFFFFFF (tor-spec 6.3).</summary>
    public uint EffectiveTtl => Ttl ?? uint.MaxValue;

    public override int EncodedLength
    {
        get
        {
            if (Address is null)
                return Ttl is null ? 1 : throw new CellFormatException($"{What}: a TTL needs an address.");
            if (Reason != EndReason.ExitPolicy)
                throw new CellFormatException($"{What}: only REASON_EXITPOLICY carries an address, not {Reason}.");
            return 1 + WireAddress.LengthOf(Address) + (Ttl is null ? 0 : 4);
        }
    }

    public override int Encode(Span<byte> data)
    {
        var w = Writer(data);
        w.WriteByte((byte)Reason);
        if (Address is not null)
        {
            WireAddress.Write(ref w, Address);
            if (Ttl is { } ttl)
                w.WriteUInt32(ttl);
        }
        return w.Position;
    }

    public static EndMessage Decode(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
            return new EndMessage(EndReason.Misc);
        var reason = (EndReason)data[0];
        if (reason != EndReason.ExitPolicy)
            return new EndMessage(reason);
        var rest = data[1..];
        return rest.Length switch
        {
            4 or 16 => new EndMessage(reason, WireAddress.Read(rest)),
            8 or 20 => new EndMessage(reason, WireAddress.Read(rest[..^4]),
                System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(rest[^4..])),
            _ => new EndMessage(reason),
        };
    }
}
