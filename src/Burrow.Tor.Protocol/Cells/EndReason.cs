namespace Burrow.Tor.Cells;

/// <summary>Why a stream closed: the reason byte of RELAY_END (tor-spec 6.3). Peers may send
/// values not listed here; they are carried as-is.</summary>
internal enum EndReason : byte
{
    Misc = 1,
    ResolveFailed = 2,
    ConnectRefused = 3,
    ExitPolicy = 4,
    Destroy = 5,
    Done = 6,
    Timeout = 7,
    NoRoute = 8,
    Hibernating = 9,
    Internal = 10,
    ResourceLimit = 11,
    ConnReset = 12,
    TorProtocol = 13,
    NotDirectory = 14,
}
