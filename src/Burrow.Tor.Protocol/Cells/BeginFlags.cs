namespace Burrow.Tor.Cells;

/// <summary>FLAGS of RELAY_BEGIN (tor-spec 6.2); bit 1 is the LSB. Bits 4..32 are reserved and carried as-is.</summary>
[Flags]
internal enum BeginFlags : uint
{
    None = 0,
    IPv6Okay = 1,
    IPv4NotOkay = 2,
    IPv6Preferred = 4,
}
