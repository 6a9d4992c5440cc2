namespace Burrow.Tor.CircMgr;

/// <summary>The relays of the circuit a stream runs on, guard first. Fingerprints are 40 hex digits.</summary>
internal sealed record CircuitInfo(IReadOnlyList<(string Nickname, string Fingerprint)> Hops)
{
    public string ExitNickname => Hops[^1].Nickname;

    public string ExitFingerprint => Hops[^1].Fingerprint;

    /// <summary>"exit1 (A1B2C3D4..)": how flows show their exit.</summary>
    public string ExitDescription => $"{ExitNickname} ({ExitFingerprint[..8]}..)";

    public override string ToString() => string.Join(" -> ", Hops.Select(h => $"{h.Nickname} ({h.Fingerprint[..8]}..)"));
}
