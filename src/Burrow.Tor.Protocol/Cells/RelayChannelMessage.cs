namespace Burrow.Tor.Cells;

/// <summary>A RELAY or RELAY_EARLY cell as a channel sees it: a 509-byte body that is still encrypted.
/// The channel's hot path hands frames to circuits directly; this type serves the generic decoder.</summary>
internal sealed record RelayChannelMessage : ChannelMessage
{
    public RelayChannelMessage(bool early, ReadOnlyMemory<byte> body)
    {
        if (body.Length != ChannelFraming.PayloadLength)
            throw new CellFormatException($"{(early ? "RELAY_EARLY" : "RELAY")} cell: body is {body.Length} bytes; it must be {ChannelFraming.PayloadLength}.");
        Early = early;
        Body = body;
    }

    public bool Early { get; }
    public ReadOnlyMemory<byte> Body { get; }

    public override ChannelCommand Command => Early ? ChannelCommand.RelayEarly : ChannelCommand.Relay;
    public override int EncodedLength => ChannelFraming.PayloadLength;

    public override int Encode(Span<byte> body)
    {
        var w = Writer(body);
        w.WriteBytes(Body.Span);
        return w.Position;
    }

    public static RelayChannelMessage Decode(bool early, ReadOnlySpan<byte> body) => new(early, body.ToArray());

    public bool Equals(RelayChannelMessage? other) => other is not null && Early == other.Early && ByteEquality.Equal(Body, other.Body);
    public override int GetHashCode() => HashCode.Combine(Early, ByteEquality.Hash(Body));
}
