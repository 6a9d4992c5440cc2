// The client's view of the network: a consensus that passed signature verification plus the
// microdescriptors its "m" lines name (dir-spec 3.4.1, 3.3, 5.x client operation).
using Burrow.Tor.Identities;
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.NetDir;

/// <summary>
/// An immutable snapshot. A microdescriptor is attached to a relay only when its digest is
/// the one the consensus lists for that relay; others are ignored. Add microdescriptors as
/// they arrive with <see cref="WithMicrodescriptors"/>, which returns a new snapshot.
/// </summary>
internal sealed class NetworkDirectory
{
    private readonly Dictionary<RsaIdentity, Relay> _byRsa;
    private readonly Dictionary<Ed25519Identity, Relay> _byEd;

    private NetworkDirectory(ConsensusVerification verification, Relay[] relays)
    {
        Verification = verification;
        Relays = relays;
        Params = new NetParameters(Consensus.Params);
        _byRsa = new Dictionary<RsaIdentity, Relay>(relays.Length);
        _byEd = new Dictionary<Ed25519Identity, Relay>(relays.Length);
        var ambiguousEd = new HashSet<Ed25519Identity>();
        var missing = new List<Digest256>();
        var missingSet = new HashSet<Digest256>();
        foreach (var r in relays)
        {
            _byRsa[r.RsaIdentity] = r;
            if (r.Ed25519Identity is { } ed && !ambiguousEd.Contains(ed) && !_byEd.TryAdd(ed, r))
            {
                // Two relays claiming one Ed25519 identity: neither lookup would be trustworthy.
                _byEd.Remove(ed);
                ambiguousEd.Add(ed);
            }
            if (!r.HasMicrodescriptor && missingSet.Add(r.MicrodescDigest))
                missing.Add(r.MicrodescDigest);
        }
        MissingMicrodescriptors = missing;
        RelaysWithMicrodescriptor = relays.Length - relays.Count(r => !r.HasMicrodescriptor);
    }

    /// <summary>
    /// Builds the view from an accepted verification result. Throws when the consensus was not
    /// accepted or is not the microdesc flavour: an unverified consensus never becomes a NetworkDirectory.
    /// </summary>
    public static NetworkDirectory Create(ConsensusVerification verification, IEnumerable<Microdescriptor> microdescriptors)
    {
        ArgumentNullException.ThrowIfNull(verification);
        if (!verification.IsAccepted)
            throw new ArgumentException("the consensus was not accepted: " + verification, nameof(verification));
        if (verification.Consensus.Flavor != ConsensusFlavor.Microdesc)
            throw new ArgumentException("a network directory is built from a microdesc-flavour consensus", nameof(verification));
        var byDigest = Index(microdescriptors);
        var routers = verification.Consensus.Routers;
        var relays = new Relay[routers.Count];
        for (var i = 0; i < relays.Length; i++)
        {
            var rs = routers[i];
            byDigest.TryGetValue(rs.MicrodescDigest!.Value, out var md);
            relays[i] = new Relay(rs, md);
        }
        return new NetworkDirectory(verification, relays);
    }

    /// <summary>A new snapshot with more microdescriptors attached (unlisted ones are ignored).</summary>
    public NetworkDirectory WithMicrodescriptors(IEnumerable<Microdescriptor> microdescriptors)
    {
        var byDigest = Index(microdescriptors);
        var relays = new Relay[Relays.Count];
        for (var i = 0; i < relays.Length; i++)
        {
            var r = Relays[i];
            relays[i] = !r.HasMicrodescriptor && byDigest.TryGetValue(r.MicrodescDigest, out var md) ? new Relay(r.Status, md) : r;
        }
        return new NetworkDirectory(Verification, relays);
    }

    public ConsensusVerification Verification { get; }

    public MicrodescConsensus Consensus => Verification.Consensus;

    /// <summary>All relays of the consensus, in consensus order (by RSA identity).</summary>
    public IReadOnlyList<Relay> Relays { get; }

    public NetParameters Params { get; }

    public BandwidthWeights Weights => Consensus.BandwidthWeights;

    public DateTime ValidAfter => Consensus.ValidAfter;

    public DateTime FreshUntil => Consensus.FreshUntil;

    public DateTime ValidUntil => Consensus.ValidUntil;

    /// <summary>Usable: valid-after &lt;= now &lt;= valid-until.</summary>
    public bool IsLive(DateTime now) => now >= ValidAfter && now <= ValidUntil;

    /// <summary>dir-spec 1.4 and 5.1: clients keep using a consensus for up to 24 hours past valid-until
    /// when no newer one can be fetched ("reasonably live"), never after.</summary>
    public static readonly TimeSpan ReasonablyLiveAfterExpiry = TimeSpan.FromHours(24);

    /// <summary>Live, or expired less than <see cref="ReasonablyLiveAfterExpiry"/> ago (dir-spec 5.1).</summary>
    public bool IsReasonablyLive(DateTime now) => now <= ValidUntil + ReasonablyLiveAfterExpiry;

    /// <summary>The newest there is: valid-after &lt;= now &lt; fresh-until.</summary>
    public bool IsFresh(DateTime now) => now >= ValidAfter && now < FreshUntil;

    /// <summary>Digests named by the consensus for which no microdescriptor is attached yet.</summary>
    public IReadOnlyList<Digest256> MissingMicrodescriptors { get; }

    public int RelaysWithMicrodescriptor { get; }

    public Relay? ByRsaId(RsaIdentity id) => _byRsa.GetValueOrDefault(id);

    public Relay? ByEd25519Id(Ed25519Identity id) => _byEd.GetValueOrDefault(id);

    /// <summary>
    /// Whether two relays are one family: the same relay, both listing each other's RSA
    /// identity in "family", or sharing a "family-ids" entry.
    /// </summary>
    public static bool InSameFamily(Relay a, Relay b)
    {
        if (a.RsaIdentity == b.RsaIdentity)
            return true;
        if (a.FamilyRsaIds.Contains(b.RsaIdentity) && b.FamilyRsaIds.Contains(a.RsaIdentity))
            return true;
        foreach (var id in a.FamilyIds)
        {
            if (b.FamilyIds.Contains(id))
                return true;
        }
        return false;
    }

    public override string ToString() =>
        $"NetworkDirectory {ValidAfter:yyyy-MM-dd HH:mm:ss}: {Relays.Count} relays, {RelaysWithMicrodescriptor} with microdescriptors";

    private static Dictionary<Digest256, Microdescriptor> Index(IEnumerable<Microdescriptor> microdescriptors)
    {
        ArgumentNullException.ThrowIfNull(microdescriptors);
        var byDigest = new Dictionary<Digest256, Microdescriptor>();
        foreach (var md in microdescriptors)
            byDigest.TryAdd(md.Digest, md);
        return byDigest;
    }
}
