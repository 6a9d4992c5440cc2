namespace Burrow.Tor.Cells;

/// <summary>AUTHENTICATE (tor-spec 4.4): AuthType, AuthLen, Authentication. Extra bytes are ignored.
/// A client that does not authenticate never sends one; the codec is here for completeness.</summary>
internal sealed record AuthenticateCell(ushort AuthType, ReadOnlyMemory<byte> Authentication) : ChannelMessage
{
    public override ChannelCommand Command => ChannelCommand.Authenticate;

    public override int EncodedLength => Authentication.Length <= ChannelFraming.MaxVariableBodyLength - 4
        ? 4 + Authentication.Length
        : throw new CellFormatException($"AUTHENTICATE cell: {Authentication.Length} authentication bytes do not fit a variable-length cell.");

    public override int Encode(Span<byte> body)
    {
        var w = Writer(body);
        w.WriteUInt16(AuthType);
        w.WriteUInt16((ushort)Authentication.Length);
        w.WriteBytes(Authentication.Span);
        return w.Position;
    }

    public static AuthenticateCell Decode(ReadOnlySpan<byte> body)
    {
        var r = new WireReader(body, "AUTHENTICATE cell");
        var type = r.ReadUInt16("AuthType");
        var len = r.ReadUInt16("AuthLen");
        return new AuthenticateCell(type, r.ReadBytes(len, $"Authentication (AuthLen {len})").ToArray());
    }

    public bool Equals(AuthenticateCell? other) =>
        other is not null && AuthType == other.AuthType && ByteEquality.Equal(Authentication, other.Authentication);

    public override int GetHashCode() => HashCode.Combine(AuthType, ByteEquality.Hash(Authentication));
}
