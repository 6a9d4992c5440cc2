namespace Burrow.Tor.Cells;

/// <summary>How cells are framed on a channel (tor-spec 3): the circuit ID width and which commands
/// are variable-length. Before VERSIONS is negotiated CIRCID_LEN is 2; link protocols 4 and 5 use 4.</summary>
internal readonly struct ChannelFraming : IEquatable<ChannelFraming>
{
    /// <summary>PAYLOAD_LEN: the body of every fixed-length cell.</summary>
    public const int PayloadLength = 509;

    /// <summary>The largest variable-length body (a 2-byte length field).</summary>
    public const int MaxVariableBodyLength = ushort.MaxValue;

    /// <summary>The largest header of any framing (4-byte circ ID, command, 2-byte length).</summary>
    public const int MaxHeaderLength = 7;

    /// <summary>The longest cell any framing produces; enough for a scratch buffer.</summary>
    public const int MaxCellLength = MaxHeaderLength + MaxVariableBodyLength;

    private ChannelFraming(int linkVersion, int circIdLength)
    {
        LinkVersion = linkVersion;
        CircIdLength = circIdLength;
    }

    /// <summary>Framing for the first VERSIONS cell and anything before it: 2-byte circuit IDs.</summary>
    public static ChannelFraming Initial => new(0, 2);

    /// <summary>Framing after negotiating link protocol 4 or 5: 4-byte circuit IDs, 514-byte fixed cells.</summary>
    public static ChannelFraming ForLinkVersion(int version) => version is 4 or 5
        ? new ChannelFraming(version, 4)
        : throw new ArgumentOutOfRangeException(nameof(version), version, "Only link protocols 4 and 5 are supported.");

    /// <summary>The negotiated link protocol, or 0 before negotiation.</summary>
    public int LinkVersion { get; }

    public int CircIdLength { get; }

    /// <summary>CELL_LEN: 514 with 4-byte circuit IDs, 512 with 2-byte ones.</summary>
    public int FixedCellLength => CircIdLength + 1 + PayloadLength;

    public int FixedHeaderLength => CircIdLength + 1;

    public int VariableHeaderLength => CircIdLength + 3;

    public uint MaxCircId => CircIdLength == 2 ? ushort.MaxValue : uint.MaxValue;

    /// <summary>VERSIONS (7) and every command from 128 up carry a 2-byte length (in-protocol handshake, link 3+).</summary>
    public static bool IsVariableLength(ChannelCommand command) => command == ChannelCommand.Versions || (byte)command >= 128;

    /// <summary>Bytes the whole cell takes on the wire for a body of <paramref name="bodyLength"/> bytes.</summary>
    public int CellLength(ChannelCommand command, int bodyLength) =>
        IsVariableLength(command) ? VariableHeaderLength + bodyLength : FixedCellLength;

    public bool Equals(ChannelFraming other) => LinkVersion == other.LinkVersion && CircIdLength == other.CircIdLength;
    public override bool Equals(object? obj) => obj is ChannelFraming f && Equals(f);
    public override int GetHashCode() => HashCode.Combine(LinkVersion, CircIdLength);
    public static bool operator ==(ChannelFraming a, ChannelFraming b) => a.Equals(b);
    public static bool operator !=(ChannelFraming a, ChannelFraming b) => !a.Equals(b);
    public override string ToString() => LinkVersion == 0 ? "initial (2-byte circ IDs)" : $"link v{LinkVersion}";
}
