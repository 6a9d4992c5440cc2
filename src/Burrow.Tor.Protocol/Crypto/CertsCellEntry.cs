namespace Burrow.Tor.Crypto;

/// <summary>One certificate from a CERTS cell (tor-spec 4.2): its CertType and its bytes.</summary>
internal readonly record struct CertsCellEntry(byte Type, ReadOnlyMemory<byte> Body);
