namespace Burrow.Tor.Cells;

/// <summary>A relay message this client does not interpret (legacy EXTEND/EXTENDED, onion-service,
/// padding, flow-control and future commands), kept raw.</summary>
internal sealed record UnknownRelayMessage(RelayCommand UnknownCommand, ReadOnlyMemory<byte> Data) : RelayMessage
{
    public override RelayCommand Command => UnknownCommand;
    public override int EncodedLength => Data.Length;

    public override int Encode(Span<byte> data)
    {
        var w = Writer(data);
        w.WriteBytes(Data.Span);
        return w.Position;
    }

    public bool Equals(UnknownRelayMessage? other) =>
        other is not null && UnknownCommand == other.UnknownCommand && ByteEquality.Equal(Data, other.Data);

    public override int GetHashCode() => HashCode.Combine(UnknownCommand, ByteEquality.Hash(Data));
}
