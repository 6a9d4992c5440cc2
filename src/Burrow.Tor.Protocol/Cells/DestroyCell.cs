namespace Burrow.Tor.Cells;

/// <summary>DESTROY (tor-spec 5.4): one reason byte. An OP always sends <see cref="DestroyReason.None"/>.</summary>
internal sealed record DestroyCell(DestroyReason Reason) : ChannelMessage
{
    public override ChannelCommand Command => ChannelCommand.Destroy;
    public override int EncodedLength => 1;

    public override int Encode(Span<byte> body)
    {
        var w = Writer(body);
        w.WriteByte((byte)Reason);
        return 1;
    }

    public static DestroyCell Decode(ReadOnlySpan<byte> body) =>
        new((DestroyReason)new WireReader(body, "DESTROY cell").ReadByte("reason"));
}
