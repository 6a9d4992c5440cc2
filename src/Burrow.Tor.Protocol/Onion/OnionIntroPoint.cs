using Burrow.Tor.Cells;

namespace Burrow.Tor.Protocol.Onion;

/// <summary>One introduction point from a decrypted descriptor (rend-spec-v3 2.5.2.2).</summary>
/// <param name="LinkSpecifiers">As the service listed them; sent verbatim in EXTEND2.</param>
/// <param name="OnionKey">The intro relay's curve25519 ntor key.</param>
/// <param name="AuthKey">KP_hs_ipt_sid, the AUTH_KEY of INTRODUCE1.</param>
/// <param name="EncKey">KP_hss_ntor, B of the hs-ntor handshake.</param>
internal sealed record OnionIntroPoint(IReadOnlyList<LinkSpecifier> LinkSpecifiers, byte[] OnionKey, byte[] AuthKey, byte[] EncKey);
