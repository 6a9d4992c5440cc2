using System.Net;
using Burrow.Tor.Identities;

namespace Burrow.Tor.NetDoc;

/// <summary>
/// One authority section group of a consensus (dir-spec 3.4.1): "dir-source", "contact",
/// "vote-digest". Legacy-key groups ("-legacy" nickname) have no contact or vote digest.
/// </summary>
internal sealed class DirSource
{
    public required string Nickname { get; init; }

    /// <summary>The authority's v3 identity fingerprint.</summary>
    public required RsaIdentity Identity { get; init; }

    public required string Address { get; init; }

    public required IPAddress IPAddress { get; init; }

    public required ushort DirPort { get; init; }

    public required ushort OrPort { get; init; }

    public string? Contact { get; internal set; }

    /// <summary>SHA-1 of the authority's vote, hex-decoded.</summary>
    public byte[]? VoteDigest { get; internal set; }

    public int LineNumber { get; init; }

    public bool IsLegacy => Nickname.EndsWith("-legacy", StringComparison.Ordinal);

    public override string ToString() => $"{Nickname} {Identity.ToHex()} {IPAddress}:{DirPort}";
}
