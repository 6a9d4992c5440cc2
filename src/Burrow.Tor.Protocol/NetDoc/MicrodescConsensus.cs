// A network-status consensus (dir-spec 3.4.1), microdesc flavour (3.9.2); the ns flavour
// (3.9.1) is read too for the parts both share.
using System.Text;

namespace Burrow.Tor.NetDoc;

/// <summary>
/// A parsed consensus. Parsing checks the format only; whether enough authorities signed it is
/// <see cref="ConsensusVerifier"/>'s job, and nothing here should be trusted before that.
/// </summary>
internal sealed class MicrodescConsensus
{
    internal MicrodescConsensus() { }

    public ConsensusFlavor Flavor { get; internal init; }

    /// <summary>"consensus-method"; 1 when the line is absent (dir-spec 3.4.1).</summary>
    public int ConsensusMethod { get; internal init; }

    public DateTime ValidAfter { get; internal init; }

    public DateTime FreshUntil { get; internal init; }

    public DateTime ValidUntil { get; internal init; }

    public int VoteSeconds { get; internal init; }

    public int DistSeconds { get; internal init; }

    /// <summary>Recommended client versions; null when the consensus holds no opinion.</summary>
    public IReadOnlyList<string>? ClientVersions { get; internal init; }

    public IReadOnlyList<string>? ServerVersions { get; internal init; }

    public required IReadOnlyList<string> KnownFlags { get; init; }

    public required ProtocolVersions RecommendedClientProtocols { get; init; }

    public required ProtocolVersions RequiredClientProtocols { get; init; }

    public required ProtocolVersions RecommendedRelayProtocols { get; init; }

    public required ProtocolVersions RequiredRelayProtocols { get; init; }

    public required ConsensusParams Params { get; init; }

    /// <summary>"shared-rand-current-value" (32 bytes), null when the consensus has none.</summary>
    public byte[]? SharedRandCurrent { get; internal init; }

    /// <summary>"shared-rand-previous-value" (32 bytes), null when the consensus has none.</summary>
    public byte[]? SharedRandPrevious { get; internal init; }

    public required IReadOnlyList<DirSource> DirSources { get; init; }

    public required IReadOnlyList<RouterStatus> Routers { get; init; }

    public required BandwidthWeights BandwidthWeights { get; init; }

    public required IReadOnlyList<DirectorySignature> Signatures { get; init; }

    /// <summary>Whether <paramref name="now"/> is within [valid-after, valid-until].</summary>
    public bool IsLive(DateTime now) => now >= ValidAfter && now <= ValidUntil;

    /// <summary>Parses a consensus document. Leading '@' annotation lines (CollecTor) are skipped.</summary>
    public static MicrodescConsensus Parse(ReadOnlySpan<byte> document) => ConsensusParser.Parse(document);

    public static MicrodescConsensus Parse(string document) => ConsensusParser.Parse(Encoding.Latin1.GetBytes(document));

    public override string ToString() =>
        $"{Flavor} consensus valid-after {ValidAfter:yyyy-MM-dd HH:mm:ss}, {Routers.Count} routers, {Signatures.Count} signatures";
}
