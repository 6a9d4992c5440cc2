namespace Burrow.Tor.Cells;

/// <summary>PADDING_NEGOTIATE (tor-spec 7.2, link protocol 5): version, command (1 stop, 2 start) and
/// the inactivity-timeout range in milliseconds.</summary>
internal sealed record PaddingNegotiateCell(byte Version, byte PaddingCommand, ushort ItoLowMs, ushort ItoHighMs) : ChannelMessage
{
    public const byte Stop = 1;
    public const byte Start = 2;

    public override ChannelCommand Command => ChannelCommand.PaddingNegotiate;
    public override int EncodedLength => 6;

    public override int Encode(Span<byte> body)
    {
        var w = Writer(body);
        w.WriteByte(Version);
        w.WriteByte(PaddingCommand);
        w.WriteUInt16(ItoLowMs);
        w.WriteUInt16(ItoHighMs);
        return w.Position;
    }

    public static PaddingNegotiateCell Decode(ReadOnlySpan<byte> body)
    {
        var r = new WireReader(body, "PADDING_NEGOTIATE cell");
        return new PaddingNegotiateCell(r.ReadByte("version"), r.ReadByte("command"), r.ReadUInt16("ito_low_ms"), r.ReadUInt16("ito_high_ms"));
    }
}
