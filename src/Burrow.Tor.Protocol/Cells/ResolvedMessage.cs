namespace Burrow.Tor.Cells;

/// <summary>RELAY_RESOLVED (tor-spec 6.4): answers of Type, Length, Value, TTL until the data ends.
/// IPv4 answers must be 4 bytes and IPv6 16; an error answer must be the only answer.</summary>
internal sealed record ResolvedMessage(IReadOnlyList<ResolvedAnswer> Answers) : RelayMessage
{
    private const string What = "RELAY_RESOLVED";

    public override RelayCommand Command => RelayCommand.Resolved;

    public override int EncodedLength
    {
        get
        {
            CheckErrorsAlone(Answers);
            var n = 0;
            for (var i = 0; i < Answers.Count; i++)
            {
                var a = Answers[i];
                CheckLength(a.Type, a.Value.Length, "an answer");
                n += 2 + a.Value.Length + 4;
            }
            return n;
        }
    }

    public override int Encode(Span<byte> data)
    {
        var w = Writer(data);
        for (var i = 0; i < Answers.Count; i++)
        {
            var a = Answers[i];
            w.WriteByte((byte)a.Type);
            w.WriteByte((byte)a.Value.Length);
            w.WriteBytes(a.Value.Span);
            w.WriteUInt32(a.Ttl);
        }
        return w.Position;
    }

    public static ResolvedMessage Decode(ReadOnlySpan<byte> data)
    {
        var r = new WireReader(data, What);
        var answers = new List<ResolvedAnswer>();
        while (r.Remaining > 0)
        {
            var i = answers.Count;
            var type = (ResolvedAnswerType)r.ReadByte($"answer {i} type");
            var len = r.ReadByte($"answer {i} length");
            CheckLength(type, len, $"answer {i}");
            var value = r.ReadBytes(len, $"answer {i} value (length {len})").ToArray();
            var ttl = r.ReadUInt32($"answer {i} TTL");
            answers.Add(new ResolvedAnswer(type, value, ttl));
        }
        CheckErrorsAlone(answers);
        return new ResolvedMessage(answers);
    }

    private static void CheckLength(ResolvedAnswerType type, int length, string which)
    {
        var expected = type switch { ResolvedAnswerType.IPv4 => 4, ResolvedAnswerType.IPv6 => 16, _ => -1 };
        if (expected >= 0 && length != expected)
            throw new CellFormatException($"{What}: {which} of type {type} has length {length}; it must be {expected}.");
        if (length > byte.MaxValue)
            throw new CellFormatException($"{What}: {which} value of {length} bytes exceeds the 1-byte length (max 255).");
    }

    private static void CheckErrorsAlone(IReadOnlyList<ResolvedAnswer> answers)
    {
        if (answers.Count < 2)
            return;
        for (var i = 0; i < answers.Count; i++)
            if (answers[i].IsError)
                throw new CellFormatException($"{What}: an error answer must be the only answer, but there are {answers.Count}.");
    }

    public bool Equals(ResolvedMessage? other) => other is not null && ByteEquality.Equal(Answers, other.Answers);
    public override int GetHashCode() => ByteEquality.Hash(Answers);
}
