namespace Burrow.Tor.Cells;

/// <summary>Why a circuit was closed: the one-byte reason of DESTROY and RELAY_TRUNCATED
/// (tor-spec 5.4). Unknown values are carried as-is.</summary>
internal enum DestroyReason : byte
{
    None = 0,
    Protocol = 1,
    Internal = 2,
    Requested = 3,
    Hibernating = 4,
    ResourceLimit = 5,
    ConnectFailed = 6,
    OrIdentity = 7,
    ChannelClosed = 8,
    Finished = 9,
    Timeout = 10,
    Destroyed = 11,
    NoSuchService = 12,
}
