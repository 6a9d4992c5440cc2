namespace Burrow.Tor.Cells;

/// <summary>A cell this client does not interpret (unknown commands, CREATE/CREATED, AUTHORIZE):
/// kept raw so the channel can drop it, as tor-spec 3 asks, or log it.</summary>
internal sealed record UnknownChannelMessage(ChannelCommand UnknownCommand, ReadOnlyMemory<byte> Body) : ChannelMessage
{
    public override ChannelCommand Command => UnknownCommand;
    public override int EncodedLength => Body.Length;

    public override int Encode(Span<byte> body)
    {
        var w = Writer(body);
        w.WriteBytes(Body.Span);
        return w.Position;
    }

    public bool Equals(UnknownChannelMessage? other) =>
        other is not null && UnknownCommand == other.UnknownCommand && ByteEquality.Equal(Body, other.Body);

    public override int GetHashCode() => HashCode.Combine(UnknownCommand, ByteEquality.Hash(Body));
}
