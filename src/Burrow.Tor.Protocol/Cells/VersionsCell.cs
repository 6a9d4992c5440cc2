namespace Burrow.Tor.Cells;

/// <summary>VERSIONS (tor-spec 4.1): the link protocol versions a party supports, as 2-byte integers.
/// The cell carries no padding, so an odd body length is malformed.</summary>
internal sealed record VersionsCell(IReadOnlyList<ushort> Versions) : ChannelMessage
{
    public override ChannelCommand Command => ChannelCommand.Versions;

    public override int EncodedLength => Versions.Count <= ChannelFraming.MaxVariableBodyLength / 2
        ? Versions.Count * 2
        : throw new CellFormatException($"VERSIONS cell: {Versions.Count} versions do not fit a variable-length cell.");

    public override int Encode(Span<byte> body)
    {
        var w = Writer(body);
        for (var i = 0; i < Versions.Count; i++)
            w.WriteUInt16(Versions[i]);
        return w.Position;
    }

    public static VersionsCell Decode(ReadOnlySpan<byte> body)
    {
        if (body.Length % 2 != 0)
            throw new CellFormatException($"VERSIONS cell: body length {body.Length} is odd; it must be a whole number of 2-byte versions.");
        var r = new WireReader(body, "VERSIONS cell");
        var versions = new ushort[body.Length / 2];
        for (var i = 0; i < versions.Length; i++)
            versions[i] = r.ReadUInt16("version");
        return new VersionsCell(versions);
    }

    /// <summary>The highest version in both lists (tor-spec 4.1), or null when there is none.</summary>
    public static ushort? HighestCommon(IReadOnlyList<ushort> ours, IReadOnlyList<ushort> theirs)
    {
        ushort? best = null;
        foreach (var v in ours)
            if ((best is null || v > best) && theirs.Contains(v))
                best = v;
        return best;
    }

    public bool Equals(VersionsCell? other) => other is not null && ByteEquality.Equal(Versions, other.Versions);
    public override int GetHashCode() => ByteEquality.Hash(Versions);
}
