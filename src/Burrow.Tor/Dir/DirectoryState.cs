// What the directory holds and what it needs next (dir-spec 5.1, 5.2, 5.4.1), with no contact with the
// network, the disk or a clock: documents and "now" go in, decisions come out. The directory manager
// owns the loop, the cache files and the fetcher, and asks this state what to fetch and whether what
// arrived is good.
using Burrow.Tor.Identities;
using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;
using Burrow.Tor.PathSelection;

namespace Burrow.Tor.Dir;

/// <summary>
/// The client's directory documents and the rules for them: the verified consensus in use, the authority
/// certificates (current, configured authorities only, the newest few each), and the microdescriptors by
/// digest (kept only while a consensus lists them). Thread-safe; every method is synchronous and pure
/// apart from the state it updates.
/// </summary>
internal sealed class DirectoryState
{
    private readonly IReadOnlyList<DirAuthority> _authorities;
    private readonly HashSet<RsaIdentity> _authorityIds = [];
    private readonly int _maxCertificatesPerAuthority;
    private readonly TimeSpan _maxClockSkew;
    private readonly object _lock = new();
    private List<StoredCertificate> _certificates = [];
    private Dictionary<Digest256, StoredMicrodescriptor> _microdescriptors = [];
    private NetworkDirectory? _current;

    /// <summary>Uses the authorities, clock-skew allowance and certificate limit of <paramref name="options"/>
    /// (nothing else in them: no servers are contacted from here).</summary>
    public DirectoryState(DirectoryManagerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Authorities.Count == 0)
            throw new ArgumentException("at least one directory authority is needed", nameof(options));
        foreach (var a in options.Authorities)
        {
            if (!RsaIdentity.TryFromHex(a.V3Ident, out var id))
                throw new ArgumentException($"authority '{a.Name}': v3ident must be 40 hexadecimal digits, got '{a.V3Ident}'", nameof(options));
            _authorityIds.Add(id);
        }
        _authorities = options.Authorities;
        _maxCertificatesPerAuthority = Math.Max(1, options.MaxCertificatesPerAuthority);
        _maxClockSkew = options.MaxClockSkew;
    }

    /// <summary>The v3 identities of the configured authorities.</summary>
    public IReadOnlySet<RsaIdentity> AuthorityIds => _authorityIds;

    /// <summary>The directory in use; null until a consensus is installed.</summary>
    public NetworkDirectory? Current => Volatile.Read(ref _current);

    public int CertificateCount
    {
        get
        {
            lock (_lock)
                return _certificates.Count;
        }
    }

    public int MicrodescriptorCount
    {
        get
        {
            lock (_lock)
                return _microdescriptors.Count;
        }
    }

    // ================================================================ consensus

    /// <summary>Whether a consensus must be fetched: none is held, or the one held is no longer live.</summary>
    public bool NeedsConsensus(DateTime now) => Current is not { } current || !current.IsLive(now);

    /// <summary>Parses a downloaded consensus; anything but a readable microdesc consensus is a <see cref="DirectoryErrorKind.BadDocument"/>.</summary>
    public static MicrodescConsensus ParseConsensus(byte[] text)
    {
        MicrodescConsensus consensus;
        try
        {
            consensus = MicrodescConsensus.Parse(text);
        }
        catch (NetDocException e)
        {
            throw new DirectoryException(DirectoryErrorKind.BadDocument, $"the consensus does not parse: {e.Message}", e);
        }
        if (consensus.Flavor != ConsensusFlavor.Microdesc)
            throw new DirectoryException(DirectoryErrorKind.BadDocument, $"asked for the microdesc consensus, got the '{consensus.Flavor}' flavour");
        return consensus;
    }

    /// <summary>Refuses a consensus that has expired, starts too far in the future, or is not newer than a
    /// live one held (<see cref="DirectoryErrorKind.Stale"/>).</summary>
    public void CheckTimeliness(MicrodescConsensus consensus, DateTime now)
    {
        if (now > consensus.ValidUntil + NetworkDirectory.ReasonablyLiveAfterExpiry)
            throw new DirectoryException(DirectoryErrorKind.Stale,
                $"the consensus expired at {consensus.ValidUntil:u}, more than {NetworkDirectory.ReasonablyLiveAfterExpiry.TotalHours:0} hours before now ({now:u}): " +
                "it is not reasonably live (dir-spec 5.1); if this is the newest the servers have, this computer's clock is probably ahead");
        if (now > consensus.ValidUntil && (Current is null || consensus.ValidAfter <= Current.ValidAfter))
        {
            // dir-spec 5.1: an expired consensus is only worth taking as an improvement on what is held;
            // at bootstrap only a live one is (an expired first consensus usually means a wrong clock).
            throw new DirectoryException(DirectoryErrorKind.Stale, Current is null
                ? $"the consensus expired at {consensus.ValidUntil:u} (now {now:u}); a first consensus must be live: is this computer's clock right?"
                : $"the consensus expired at {consensus.ValidUntil:u} and is not newer than the one held");
        }
        if (consensus.ValidAfter > now + _maxClockSkew)
            throw new DirectoryException(DirectoryErrorKind.Stale,
                $"the consensus is valid only from {consensus.ValidAfter:u}, but it is {now:u} here: is this computer's clock right?");
        if (Current is { } held && consensus.ValidAfter <= held.ValidAfter && held.IsLive(now))
            throw new DirectoryException(DirectoryErrorKind.Stale, $"the consensus (valid-after {consensus.ValidAfter:u}) is not newer than the one held");
    }

    /// <summary>The consensus checked against the certificates held and the configured authorities.</summary>
    public ConsensusVerification Verify(MicrodescConsensus consensus, DateTime now) =>
        ConsensusVerifier.Verify(consensus, CertificatesSnapshot(), _authorities, now);

    /// <summary>Installs a verified consensus: microdescriptors held and still listed carry over, the rest are dropped.</summary>
    public NetworkDirectory Install(ConsensusVerification verification)
    {
        ArgumentNullException.ThrowIfNull(verification);
        var listed = Listed(verification.Consensus);
        NetworkDirectory directory;
        lock (_lock)
        {
            _microdescriptors = _microdescriptors.Where(kv => listed.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
            directory = NetworkDirectory.Create(verification, _microdescriptors.Values.Select(m => m.Microdescriptor));
            _current = directory;
        }
        return directory;
    }

    /// <summary>
    /// Judges a cached consensus exactly like a download (parse, flavour, expiry, signatures) and installs
    /// it when it passes. The microdescriptors held that it does not list are dropped.
    /// </summary>
    public CachedConsensusVerdict LoadCachedConsensus(byte[] text, DateTime now)
    {
        MicrodescConsensus consensus;
        try
        {
            consensus = MicrodescConsensus.Parse(text);
            if (consensus.Flavor != ConsensusFlavor.Microdesc)
                throw new NetDocException($"it is the '{consensus.Flavor}' flavour, not 'microdesc'");
        }
        catch (NetDocException e)
        {
            return CachedConsensusVerdict.Refused($"is corrupt ({e.Message})");
        }
        if (now > consensus.ValidUntil)
            return CachedConsensusVerdict.Expired(consensus.ValidUntil);
        var verification = Verify(consensus, now);
        if (!verification.IsAccepted)
            return CachedConsensusVerdict.Refused($"fails verification ({verification})");
        var before = MicrodescriptorCount;
        var directory = Install(verification);
        var kept = MicrodescriptorCount;
        return CachedConsensusVerdict.Installed(directory, kept, before - kept);
    }

    // ================================================================ certificates

    /// <summary>The configured authorities that signed <paramref name="consensus"/> and whose signing
    /// certificate (current at <paramref name="now"/>) is not held.</summary>
    public HashSet<RsaIdentity> MissingCertificates(MicrodescConsensus consensus, DateTime now)
    {
        var have = CertificatesSnapshot();
        return consensus.Signatures
            .Where(s => _authorityIds.Contains(s.Identity)
                && !have.Any(c => c.Fingerprint == s.Identity && c.SigningKeyDigest == s.SigningKeyDigest && !c.IsExpiredAt(now) && !c.IsNotYetValidAt(now)))
            .Select(s => s.Identity)
            .ToHashSet();
    }

    /// <summary>
    /// Adds the certificates in <paramref name="text"/> that pass their own checks, are not expired, and
    /// belong to a configured (and, when <paramref name="requested"/> is given, requested) authority.
    /// Returns a description of each one refused, and the expired ones dropped.
    /// </summary>
    public CertificateIntake AcceptCertificates(byte[] text, IReadOnlySet<RsaIdentity>? requested, DateTime now)
    {
        var good = new List<StoredCertificate>();
        var problems = new List<string>();
        var expired = new List<AuthorityCertificate>();
        var n = 0;
        foreach (var chunk in DocumentSplitter.Certificates(text))
        {
            n++;
            AuthorityCertificate cert;
            try
            {
                cert = AuthorityCertificate.Parse(chunk.Span);
            }
            catch (NetDocException e)
            {
                problems.Add($"certificate {n} is unreadable ({e.Message})");
                continue;
            }
            if (!cert.IsValid)
                problems.Add($"certificate {n} for {cert.Fingerprint.ToHex()} fails its own checks ({cert.Validity})");
            else if (!_authorityIds.Contains(cert.Fingerprint) || (requested != null && !requested.Contains(cert.Fingerprint)))
                problems.Add($"certificate {n} is for {cert.Fingerprint.ToHex()}, which was not asked for");
            else if (cert.IsExpiredAt(now))
                expired.Add(cert);
            else
                good.Add(new StoredCertificate(cert, chunk.ToArray()));
        }
        lock (_lock)
        {
            _certificates = _certificates.Concat(good)
                .Where(c => !c.Certificate.IsExpiredAt(now))
                .GroupBy(c => (c.Certificate.Fingerprint, c.Certificate.SigningKeyDigest))
                .Select(g => g.First())
                .GroupBy(c => c.Certificate.Fingerprint)
                .SelectMany(g => g.OrderByDescending(c => c.Certificate.Published).Take(_maxCertificatesPerAuthority))
                .ToList();
        }
        return new CertificateIntake(good.Count, problems, expired);
    }

    /// <summary>The certificates held, as their original text (what the cache file holds).</summary>
    public List<byte[]> CertificateTexts()
    {
        lock (_lock)
            return _certificates.Select(c => c.Text).ToList();
    }

    private List<AuthorityCertificate> CertificatesSnapshot()
    {
        lock (_lock)
            return _certificates.Select(c => c.Certificate).ToList();
    }

    // ================================================================ microdescriptors

    /// <summary>
    /// Keeps every readable microdescriptor of a cache file by digest until a consensus says which are
    /// wanted: an altered entry no longer has a listed digest, so it is dropped and refetched. Returns how
    /// many entries were unreadable.
    /// </summary>
    public int LoadCachedMicrodescriptors(byte[] text)
    {
        var cached = new Dictionary<Digest256, StoredMicrodescriptor>();
        var unreadable = 0;
        foreach (var chunk in DocumentSplitter.Microdescriptors(text))
        {
            try
            {
                var md = Microdescriptor.Parse(chunk.Span);
                cached.TryAdd(md.Digest, new StoredMicrodescriptor(md, chunk.ToArray()));
            }
            catch (NetDocException)
            {
                unreadable++;
            }
        }
        lock (_lock)
            _microdescriptors = cached;
        return unreadable;
    }

    /// <summary>The digests the current consensus lists but no microdescriptor is held for, in request
    /// batches of at most <see cref="DirUrls.MaxMicrodescriptorsPerRequest"/> (dir-spec 5.2).</summary>
    public List<List<Digest256>> MissingMicrodescriptorBatches() =>
        Current is { } current
            ? current.MissingMicrodescriptors.Chunk(DirUrls.MaxMicrodescriptorsPerRequest).Select(c => c.ToList()).ToList()
            : [];

    /// <summary>The microdescriptors in a response that were asked for (dir-spec 5.2: anything else is
    /// discarded), with counts of the unreadable and the unrequested.</summary>
    public static MicrodescriptorIntake ParseMicrodescriptors(byte[] body, IReadOnlySet<Digest256> wanted)
    {
        var result = new List<StoredMicrodescriptor>();
        int bad = 0, unwanted = 0;
        foreach (var chunk in DocumentSplitter.Microdescriptors(body))
        {
            try
            {
                var md = Microdescriptor.Parse(chunk.Span);
                if (wanted.Contains(md.Digest))
                    result.Add(new StoredMicrodescriptor(md, chunk.ToArray()));
                else
                    unwanted++;
            }
            catch (NetDocException)
            {
                bad++;
            }
        }
        return new MicrodescriptorIntake(result, bad, unwanted);
    }

    /// <summary>Adds fetched microdescriptors to <paramref name="directory"/> (the one they were fetched
    /// for) and makes the result current.</summary>
    public NetworkDirectory AddMicrodescriptors(NetworkDirectory directory, IReadOnlyCollection<StoredMicrodescriptor> received)
    {
        ArgumentNullException.ThrowIfNull(directory);
        lock (_lock)
        {
            foreach (var m in received)
                _microdescriptors.TryAdd(m.Microdescriptor.Digest, m);
        }
        var updated = directory.WithMicrodescriptors(received.Select(m => m.Microdescriptor));
        Volatile.Write(ref _current, updated);
        return updated;
    }

    /// <summary>The microdescriptors held, as their original text (what the cache file holds).</summary>
    public List<byte[]> MicrodescriptorTexts()
    {
        lock (_lock)
            return _microdescriptors.Values.Select(m => m.Text).ToList();
    }

    // ================================================================ readiness and progress

    /// <summary>Refuses a directory whose microdescriptors cover less of the possible paths than the
    /// consensus's min_paths_for_circs_pct (<see cref="DirectoryErrorKind.NotEnoughDirectoryInfo"/>).</summary>
    public static void CheckEnoughForCircuits(NetworkDirectory directory)
    {
        var coverage = PathCoverage.Fraction(directory);
        if (coverage * 100 < directory.Params.MinPathsForCircsPct)
            throw new DirectoryException(DirectoryErrorKind.NotEnoughDirectoryInfo,
                $"microdescriptors cover {coverage:P0} of the possible paths, {directory.Params.MinPathsForCircsPct}% are needed ({directory.RelaysWithMicrodescriptor} of {directory.Relays.Count} relays)");
    }

    /// <summary>Bootstrap progress while <paramref name="done"/> of <paramref name="total"/> missing
    /// microdescriptors have been dealt with (nothing missing is complete).</summary>
    public static BootstrapStatus MicrodescriptorProgress(int done, int total) =>
        BootstrapStatus.LoadingMicrodescriptors(total <= 0 ? 1 : (double)done / total);

    private static HashSet<Digest256> Listed(MicrodescConsensus consensus) =>
        consensus.Routers.Where(r => r.MicrodescDigest != null).Select(r => r.MicrodescDigest!.Value).ToHashSet();
}
