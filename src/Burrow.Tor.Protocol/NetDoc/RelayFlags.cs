namespace Burrow.Tor.NetDoc;

/// <summary>Router status flags from a consensus "s" line (dir-spec 3.4.1, 3.4.2). Unknown flags are ignored.</summary>
[Flags]
internal enum RelayFlags : ushort
{
    None = 0,
    Authority = 1 << 0,
    BadExit = 1 << 1,
    Exit = 1 << 2,
    Fast = 1 << 3,
    Guard = 1 << 4,
    HSDir = 1 << 5,
    MiddleOnly = 1 << 6,
    NoEdConsensus = 1 << 7,
    Running = 1 << 8,
    Stable = 1 << 9,
    StaleDesc = 1 << 10,
    Sybil = 1 << 11,
    V2Dir = 1 << 12,
    Valid = 1 << 13,
}
