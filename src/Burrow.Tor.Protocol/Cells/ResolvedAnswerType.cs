namespace Burrow.Tor.Cells;

/// <summary>Type of a RELAY_RESOLVED answer (tor-spec 6.4). Others are carried as-is.</summary>
internal enum ResolvedAnswerType : byte
{
    Hostname = 0x00,
    IPv4 = 0x04,
    IPv6 = 0x06,
    TransientError = 0xF0,
    NontransientError = 0xF1,
}
