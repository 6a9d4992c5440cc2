namespace Burrow.Tor.Cells;

/// <summary>AUTH_CHALLENGE (tor-spec 4.3): a 32-byte challenge and the accepted authentication
/// methods. Initiators MUST ignore bytes after the methods.</summary>
internal sealed record AuthChallengeCell(ReadOnlyMemory<byte> Challenge, IReadOnlyList<ushort> Methods) : ChannelMessage
{
    public const int ChallengeLength = 32;

    public override ChannelCommand Command => ChannelCommand.AuthChallenge;

    public override int EncodedLength
    {
        get
        {
            if (Challenge.Length != ChallengeLength)
                throw new CellFormatException($"AUTH_CHALLENGE cell: challenge is {Challenge.Length} bytes; it must be {ChallengeLength}.");
            if (Methods.Count > (ChannelFraming.MaxVariableBodyLength - ChallengeLength - 2) / 2)
                throw new CellFormatException($"AUTH_CHALLENGE cell: {Methods.Count} methods do not fit a variable-length cell.");
            return ChallengeLength + 2 + 2 * Methods.Count;
        }
    }

    public override int Encode(Span<byte> body)
    {
        var w = Writer(body);
        w.WriteBytes(Challenge.Span);
        w.WriteUInt16((ushort)Methods.Count);
        for (var i = 0; i < Methods.Count; i++)
            w.WriteUInt16(Methods[i]);
        return w.Position;
    }

    public static AuthChallengeCell Decode(ReadOnlySpan<byte> body)
    {
        var r = new WireReader(body, "AUTH_CHALLENGE cell");
        var challenge = r.ReadBytes(ChallengeLength, "Challenge").ToArray();
        var n = r.ReadUInt16("N_Methods");
        if (n * 2 > r.Remaining)
            throw new CellFormatException($"AUTH_CHALLENGE cell: N_Methods {n} needs {n * 2} bytes but the body has {r.Remaining} left.");
        var methods = new ushort[n];
        for (var i = 0; i < n; i++)
            methods[i] = r.ReadUInt16("Methods");
        return new AuthChallengeCell(challenge, methods);
    }

    public bool Equals(AuthChallengeCell? other) =>
        other is not null && ByteEquality.Equal(Challenge, other.Challenge) && ByteEquality.Equal(Methods, other.Methods);

    public override int GetHashCode() => HashCode.Combine(ByteEquality.Hash(Challenge), ByteEquality.Hash(Methods));
}
