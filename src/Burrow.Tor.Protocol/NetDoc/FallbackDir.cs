using System.Net;

namespace Burrow.Tor.NetDoc;

/// <summary>A directory cache reachable at one or more ORPorts. RSA identity is 40 hex digits;
/// the Ed25519 identity (base64, 43 chars) is checked during the channel handshake when given.
/// Arti: tor_network.fallback_caches.</summary>
public sealed record FallbackDir(string RsaIdentity, string? Ed25519Identity, IReadOnlyList<IPEndPoint> OrPorts);
