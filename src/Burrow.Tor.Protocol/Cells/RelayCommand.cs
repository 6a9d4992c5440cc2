namespace Burrow.Tor.Cells;

/// <summary>Relay commands (tor-spec 6.1). Values not listed (onion-service, padding, conflux,
/// UDP) are carried as-is.</summary>
internal enum RelayCommand : byte
{
    Begin = 1,
    Data = 2,
    End = 3,
    Connected = 4,
    Sendme = 5,
    Extend = 6,
    Extended = 7,
    Truncate = 8,
    Truncated = 9,
    Drop = 10,
    Resolve = 11,
    Resolved = 12,
    BeginDir = 13,
    Extend2 = 14,
    Extended2 = 15,
    // The 2023 tor-spec table lists 43 as XON; relays (and the current spec) use 43 for XOFF, 44 for XON:
    // a C tor 0.4.9 exit reads a 1-byte command-44 cell as a "malformed XON".
    Xoff = 43,
    Xon = 44,
}
