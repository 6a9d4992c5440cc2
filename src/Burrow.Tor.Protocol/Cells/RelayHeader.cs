namespace Burrow.Tor.Cells;

/// <summary>The 11-byte header of a decrypted relay cell body (tor-spec 6.1).</summary>
internal readonly record struct RelayHeader(RelayCommand Command, ushort Recognized, ushort StreamId, uint Digest, ushort Length);
