namespace Burrow.Tor.Cells;

/// <summary>RELAY_SENDME (tor-spec 7.3.1, 7.4; proposal 289). Version 0 is the legacy SENDME: its payload
/// is ignored and it is sent empty (stream-level SENDMEs are always empty). Version 1 carries the 20-byte
/// rolling digest of the cell that triggered it. Other versions are kept as VERSION + DATA so the
/// circuit can refuse them (the spec says to tear the circuit down).</summary>
internal sealed record SendmeMessage(byte Version, ReadOnlyMemory<byte> Data) : RelayMessage
{
    private const string What = "RELAY_SENDME";
    public const int DigestLength = 20;

    public static SendmeMessage Legacy { get; } = new(0, ReadOnlyMemory<byte>.Empty);

    public static SendmeMessage Authenticated(ReadOnlySpan<byte> digest) => digest.Length == DigestLength
        ? new SendmeMessage(1, digest.ToArray())
        : throw new CellFormatException($"{What}: a version 1 digest is {DigestLength} bytes, not {digest.Length}.");

    public override RelayCommand Command => RelayCommand.Sendme;

    /// <summary>The version 1 digest: the first 20 bytes of DATA (extra bytes are allowed and ignored).</summary>
    public ReadOnlyMemory<byte> Digest => Version == 1 && Data.Length >= DigestLength
        ? Data[..DigestLength]
        : throw new InvalidOperationException($"A version {Version} SENDME has no digest.");

    public override int EncodedLength
    {
        get
        {
            if (Version == 0 && Data.IsEmpty)
                return 0;
            if (Version == 1 && Data.Length < DigestLength)
                throw new CellFormatException($"{What}: version 1 DATA is {Data.Length} bytes; it must hold the {DigestLength}-byte digest.");
            if (Data.Length > RelayCell.MaxDataLength - 3)
                throw new CellFormatException($"{What}: DATA of {Data.Length} bytes does not fit a relay cell.");
            return 3 + Data.Length;
        }
    }

    public override int Encode(Span<byte> data)
    {
        var w = Writer(data);
        if (EncodedLength == 0)
            return 0;
        w.WriteByte(Version);
        w.WriteUInt16((ushort)Data.Length);
        w.WriteBytes(Data.Span);
        return w.Position;
    }

    public static SendmeMessage Decode(ReadOnlySpan<byte> data)
    {
        // Empty, or version 0 whose rest "should be ignored".
        if (data.IsEmpty || data[0] == 0)
            return Legacy;
        var r = new WireReader(data, What);
        var version = r.ReadByte("VERSION");
        var len = r.ReadUInt16("DATA_LEN");
        if (version == 1 && len < DigestLength)
            throw new CellFormatException($"{What}: version 1 DATA_LEN is {len}; it must be at least {DigestLength} (the digest).");
        return new SendmeMessage(version, r.ReadBytes(len, $"DATA (DATA_LEN {len})").ToArray());
    }

    public bool Equals(SendmeMessage? other) => other is not null && Version == other.Version && ByteEquality.Equal(Data, other.Data);
    public override int GetHashCode() => HashCode.Combine(Version, ByteEquality.Hash(Data));
}
