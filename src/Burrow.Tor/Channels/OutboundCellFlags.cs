namespace Burrow.Tor.Channels;

/// <summary>How the channel writer treats a queued cell.</summary>
[Flags]
internal enum OutboundCellFlags : byte
{
    None = 0,

    /// <summary>The cell took a slot of the bounded queue; the writer gives it back.</summary>
    Counted = 1,

    /// <summary>A RELAY_DATA cell (counts for authenticated SENDMEs, tor-spec 7.3).</summary>
    Data = 2,

    /// <summary>Must go as RELAY_EARLY (EXTEND2, tor-spec 5.6).</summary>
    Early = 4,
}
