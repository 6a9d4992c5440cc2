namespace Burrow.Tor.NetDoc;

/// <summary>A v3 directory authority: its nickname and the SHA-1 fingerprint (40 hex) of its
/// authority identity key ("v3ident"). Arti: tor_network.authorities.</summary>
public sealed record DirAuthority(string Name, string V3Ident);
