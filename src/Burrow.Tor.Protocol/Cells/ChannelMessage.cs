namespace Burrow.Tor.Cells;

/// <summary>The decoded body of a channel cell (tor-spec 3, 4, 5.1, 5.4). <see cref="Encode"/> writes the
/// meaningful bytes only; <see cref="ChannelCellWriter"/> frames and pads them.</summary>
internal abstract record ChannelMessage
{
    public abstract ChannelCommand Command { get; }

    /// <summary>Bytes <see cref="Encode"/> writes (before any padding).</summary>
    public abstract int EncodedLength { get; }

    /// <summary>Writes the body into <paramref name="body"/> and returns <see cref="EncodedLength"/>.</summary>
    public abstract int Encode(Span<byte> body);

    /// <summary>Decodes a cell body. Unknown commands and ones this client never parses (CREATE, CREATED,
    /// AUTHORIZE) come back as <see cref="UnknownChannelMessage"/>; malformed bodies throw
    /// <see cref="CellFormatException"/>.</summary>
    public static ChannelMessage Decode(ChannelCommand command, ReadOnlySpan<byte> body) => command switch
    {
        ChannelCommand.Padding => PaddingCell.Decode(body),
        ChannelCommand.VPadding => VPaddingCell.Decode(body),
        ChannelCommand.Versions => VersionsCell.Decode(body),
        ChannelCommand.Certs => CertsCell.Decode(body),
        ChannelCommand.AuthChallenge => AuthChallengeCell.Decode(body),
        ChannelCommand.Authenticate => AuthenticateCell.Decode(body),
        ChannelCommand.Netinfo => NetinfoCell.Decode(body),
        ChannelCommand.Create2 => Create2Cell.Decode(body),
        ChannelCommand.Created2 => Created2Cell.Decode(body),
        ChannelCommand.CreateFast => CreateFastCell.Decode(body),
        ChannelCommand.CreatedFast => CreatedFastCell.Decode(body),
        ChannelCommand.Destroy => DestroyCell.Decode(body),
        ChannelCommand.PaddingNegotiate => PaddingNegotiateCell.Decode(body),
        ChannelCommand.Relay or ChannelCommand.RelayEarly => RelayChannelMessage.Decode(command == ChannelCommand.RelayEarly, body),
        _ => new UnknownChannelMessage(command, body.ToArray()),
    };

    /// <summary>Starts an encoder after checking that <paramref name="body"/> can hold the message.</summary>
    private protected WireWriter Writer(Span<byte> body) => WireWriter.Create(body, EncodedLength, Command);
}
