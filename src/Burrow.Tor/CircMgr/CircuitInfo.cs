using Burrow.Tor.Cells;
using Burrow.Tor.Identities;

namespace Burrow.Tor.CircMgr;

/// <summary>The relays of the circuit a stream runs on, guard first. Identities stay typed; they become
/// 40 hex digits only in the strings shown to users.</summary>
internal sealed record CircuitInfo(IReadOnlyList<(string Nickname, RsaIdentity Identity)> Hops)
{
    /// <summary>The handshake each hop was built with (ntor v3 where the relay offers Relay=4).</summary>
    public IReadOnlyList<HandshakeType> HopHandshakes { get; init; } = [];

    /// <summary>Whether the exit negotiated congestion control (proposal 324): Vegas and XON/XOFF instead
    /// of fixed windows.</summary>
    public bool CongestionControl { get; init; }

    public string ExitNickname => Hops[^1].Nickname;

    public RsaIdentity ExitIdentity => Hops[^1].Identity;

    /// <summary>The exit's fingerprint as 40 upper-case hex digits.</summary>
    public string ExitFingerprint => ExitIdentity.ToHex();

    /// <summary>"exit1 (A1B2C3D4..)": how flows show their exit.</summary>
    public string ExitDescription => $"{ExitNickname} ({ExitFingerprint[..8]}..)";

    public override string ToString() => string.Join(" -> ", Hops.Select(h => $"{h.Nickname} ({h.Identity.ToHex()[..8]}..)"));
}
