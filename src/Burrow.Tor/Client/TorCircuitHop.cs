using System.Net;

namespace Burrow.Tor.Client;

/// <summary>One relay of a circuit: its nickname, RSA identity fingerprint (40 hex digits) and the
/// ORPort the path was chosen with.</summary>
public sealed record TorCircuitHop(string Nickname, string Fingerprint, IPEndPoint Address)
{
    /// <summary>"exit1 (A1B2C3D4..)".</summary>
    public override string ToString() => $"{Nickname} ({Fingerprint[..Math.Min(8, Fingerprint.Length)]}..)";
}
