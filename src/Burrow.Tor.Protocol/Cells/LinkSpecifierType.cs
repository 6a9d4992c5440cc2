namespace Burrow.Tor.Cells;

/// <summary>LSTYPE of an EXTEND2 link specifier (tor-spec 5.1.2). Others are carried as-is.</summary>
internal enum LinkSpecifierType : byte
{
    /// <summary>TLS-over-TCP, IPv4 address and ORPort (6 bytes).</summary>
    IPv4 = 0,
    /// <summary>TLS-over-TCP, IPv6 address and ORPort (18 bytes).</summary>
    IPv6 = 1,
    /// <summary>Legacy identity: SHA-1 of the RSA identity key (20 bytes).</summary>
    LegacyId = 2,
    /// <summary>Ed25519 identity key (32 bytes).</summary>
    Ed25519Id = 3,
}
