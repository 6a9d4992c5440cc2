namespace Burrow.Tor.Cells;

/// <summary>The decoded data of a relay cell (tor-spec 5.1.2, 5.3, 6, 7.3). <see cref="Encode"/> writes the
/// message bytes; <see cref="RelayCell"/> adds the header and padding.</summary>
internal abstract record RelayMessage
{
    public abstract RelayCommand Command { get; }

    /// <summary>Bytes <see cref="Encode"/> writes (the relay header's Length).</summary>
    public abstract int EncodedLength { get; }

    public abstract int Encode(Span<byte> data);

    /// <summary>Decodes relay data. Commands this client does not interpret come back as
    /// <see cref="UnknownRelayMessage"/> (tor-spec 6.1: dropped, but counted); malformed data throws
    /// <see cref="CellFormatException"/>.</summary>
    public static RelayMessage Decode(RelayCommand command, ReadOnlySpan<byte> data) => command switch
    {
        RelayCommand.Begin => BeginMessage.Decode(data),
        RelayCommand.BeginDir => BeginDirMessage.Decode(data),
        RelayCommand.Data => DataMessage.Decode(data),
        RelayCommand.End => EndMessage.Decode(data),
        RelayCommand.Connected => ConnectedMessage.Decode(data),
        RelayCommand.Sendme => SendmeMessage.Decode(data),
        RelayCommand.Extend2 => Extend2Message.Decode(data),
        RelayCommand.Extended2 => Extended2Message.Decode(data),
        RelayCommand.Truncate => TruncateMessage.Decode(data),
        RelayCommand.Truncated => TruncatedMessage.Decode(data),
        RelayCommand.Drop => DropMessage.Decode(data),
        RelayCommand.Resolve => ResolveMessage.Decode(data),
        RelayCommand.Resolved => ResolvedMessage.Decode(data),
        RelayCommand.Xon => XonMessage.Decode(data),
        RelayCommand.Xoff => XoffMessage.Decode(data),
        _ => new UnknownRelayMessage(command, data.ToArray()),
    };

    /// <summary>As <see cref="Decode(RelayCommand, ReadOnlySpan{byte})"/>, but DATA (the hot path) and
    /// unknown messages keep a slice of <paramref name="data"/> instead of a copy.</summary>
    public static RelayMessage Decode(RelayCommand command, ReadOnlyMemory<byte> data) => command switch
    {
        RelayCommand.Data => new DataMessage(data),
        RelayCommand.Begin or RelayCommand.BeginDir or RelayCommand.End or RelayCommand.Connected or RelayCommand.Sendme
            or RelayCommand.Extend2 or RelayCommand.Extended2 or RelayCommand.Truncate or RelayCommand.Truncated
            or RelayCommand.Drop or RelayCommand.Resolve or RelayCommand.Resolved
            or RelayCommand.Xon or RelayCommand.Xoff => Decode(command, data.Span),
        _ => new UnknownRelayMessage(command, data),
    };

    /// <summary>Whether <paramref name="command"/> needs a nonzero StreamID, a zero one, or either.</summary>
    public static StreamIdUsage StreamIdUsageOf(RelayCommand command) => command switch
    {
        RelayCommand.Begin or RelayCommand.Data or RelayCommand.End or RelayCommand.Connected
            or RelayCommand.Resolve or RelayCommand.Resolved or RelayCommand.BeginDir => StreamIdUsage.Required,
        RelayCommand.Extend or RelayCommand.Extended or RelayCommand.Truncate or RelayCommand.Truncated
            or RelayCommand.Drop or RelayCommand.Extend2 or RelayCommand.Extended2 => StreamIdUsage.Forbidden,
        _ => StreamIdUsage.Either,
    };

    /// <summary>Throws <see cref="CellFormatException"/> when <paramref name="streamId"/> does not suit <paramref name="command"/>.</summary>
    public static void CheckStreamId(RelayCommand command, ushort streamId)
    {
        switch (StreamIdUsageOf(command))
        {
            case StreamIdUsage.Required when streamId == 0:
                throw new CellFormatException($"Relay {command}: StreamID is 0; this command belongs to a stream and needs a nonzero StreamID.");
            case StreamIdUsage.Forbidden when streamId != 0:
                throw new CellFormatException($"Relay {command}: StreamID is {streamId}; this control command needs StreamID 0.");
        }
    }

    private protected WireWriter Writer(Span<byte> data) => WireWriter.Create(data, EncodedLength, Command);
}
