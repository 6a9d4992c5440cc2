namespace Burrow.Tor.Cells;

/// <summary>RELAY_DATA (tor-spec 6.2): stream bytes. For the hot path use <see cref="RelayCell"/> directly
/// (DataArea/Seal to send, Decode to receive); this record wraps a slice without copying.</summary>
internal sealed record DataMessage(ReadOnlyMemory<byte> Data) : RelayMessage
{
    public override RelayCommand Command => RelayCommand.Data;
    public override int EncodedLength => Data.Length;

    public override int Encode(Span<byte> data)
    {
        var w = Writer(data);
        w.WriteBytes(Data.Span);
        return w.Position;
    }

    /// <summary>Copies; use <see cref="RelayMessage.Decode(RelayCommand, ReadOnlyMemory{byte})"/> to slice.</summary>
    public static DataMessage Decode(ReadOnlySpan<byte> data) => new(data.ToArray());

    public bool Equals(DataMessage? other) => other is not null && ByteEquality.Equal(Data, other.Data);
    public override int GetHashCode() => ByteEquality.Hash(Data);
}
