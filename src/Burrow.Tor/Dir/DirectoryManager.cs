// The client's directory state machine (dir-spec 5.1, 5.2, 5.4.1): bootstrap from configured
// servers, verify, cache in cache_dir, refresh before expiry.
using Burrow.Tor.Identities;
using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;
using Burrow.Tor.PathSelection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Tor.Dir;

/// <summary>
/// Keeps a verified <see cref="NetworkDirectory"/>: the microdesc consensus (accepted only when
/// more than half of the configured authorities signed it with current certificates), the
/// certificates it needs, and the microdescriptors its "m" lines name (accepted only when their
/// digest is one that was asked for). Everything read from cache_dir passes the same checks as
/// a download; a cache file that fails them is reported and replaced.
/// <para>Fetches go through <see cref="IDirectoryStreamOpener"/>: HTTP/1.0 over BEGIN_DIR, one
/// request per stream. Fetching is serialised: bootstrap and refresh never overlap.</para>
/// </summary>
internal sealed class DirectoryManager
{
    private readonly DirectoryManagerOptions _options;
    private readonly DirectoryFetcher _fetcher;
    private readonly DirectorySchedule _schedule;
    private readonly DirectoryStore? _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly object _lock = new();
    private readonly HashSet<RsaIdentity> _authorityIds = [];
    private List<StoredCertificate> _certificates = [];
    private Dictionary<Digest256, StoredMicrodescriptor> _microdescriptors = [];
    private NetworkDirectory? _current;
    private bool _cacheLoaded;

    public DirectoryManager(DirectoryManagerOptions options, IDirectoryStreamOpener opener, DirectoryStore? store,
        TimeProvider? time = null, Random? random = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(opener);
        if (options.Authorities.Count == 0)
            throw new ArgumentException("at least one directory authority is needed", nameof(options));
        foreach (var a in options.Authorities)
        {
            if (!RsaIdentity.TryFromHex(a.V3Ident, out var id))
                throw new ArgumentException($"authority '{a.Name}': v3ident must be 40 hexadecimal digits, got '{a.V3Ident}'", nameof(options));
            _authorityIds.Add(id);
        }
        _options = options;
        var sharedRandom = random ?? CryptoRandom.Instance;
        _fetcher = new DirectoryFetcher(opener, options.BootstrapServers, options.RequestTimeout, sharedRandom);
        _schedule = new DirectorySchedule(options.MaxRetryDelay, sharedRandom);
        _store = store;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Raised after a new directory is installed (bootstrap, a refresh). Handlers must not block.</summary>
    public event Action<NetworkDirectory>? DirectoryChanged;

    /// <summary>Directory caches to prefer once a consensus is held (the client offers its directory
    /// guards); the bootstrap servers remain the fallback.</summary>
    public Func<IReadOnlyList<DirectoryServer>>? CacheServers { get; set; }

    public NetworkDirectory? Current => Volatile.Read(ref _current);

    public DirectoryStatistics Statistics { get; } = new();

    /// <summary>When the next consensus fetch is due (dir-spec 5.1); null before bootstrap.</summary>
    public DateTime? NextRefresh => _schedule.NextRefresh;

    /// <summary>Whether the installed consensus came from cache_dir rather than the network.</summary>
    public bool UsedCachedConsensus { get; private set; }

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    // ================================================================ bootstrap

    /// <summary>
    /// Gets a live, verified directory with enough microdescriptors to build circuits: from the
    /// cache when it is still valid, else from the network. Reports progress from 0% to 75%.
    /// </summary>
    public async Task<NetworkDirectory> BootstrapAsync(IProgress<BootstrapStatus>? progress, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            progress?.Report(BootstrapStatus.Starting);
            if (!_cacheLoaded)
            {
                _cacheLoaded = true;
                LoadFromCache();
            }
            var current = Current;
            if (current == null || !current.IsLive(Now))
            {
                progress?.Report(BootstrapStatus.ConnectingToDirectory);
                var (verification, text) = await FetchConsensusAsync(progress, cancellationToken).ConfigureAwait(false);
                Install(verification, text);
                UsedCachedConsensus = false;
            }
            await FetchMissingMicrodescriptorsAsync(progress, cancellationToken).ConfigureAwait(false);
            current = Current!;
            var coverage = PathCoverage.Fraction(current);
            if (coverage * 100 < current.Params.MinPathsForCircsPct)
                throw new DirectoryException(DirectoryErrorKind.NotEnoughDirectoryInfo,
                    $"microdescriptors cover {coverage:P0} of the possible paths, {current.Params.MinPathsForCircsPct}% are needed ({current.RelaysWithMicrodescriptor} of {current.Relays.Count} relays)");
            progress?.Report(BootstrapStatus.LoadingMicrodescriptors(1));
            _logger.LogInformation("Directory ready: {Directory}, valid until {ValidUntil:u}{Source}.", current, current.ValidUntil,
                UsedCachedConsensus ? " (consensus from cache)" : "");
            DirectoryChanged?.Invoke(current);
            return current;
        }
        finally
        {
            _gate.Release();
        }
    }

    // ================================================================ refresh

    /// <summary>dir-spec 5.1's refresh window (see <see cref="DirectorySchedule.RefreshWindow"/>).</summary>
    public static (DateTime From, DateTime To) RefreshWindow(NetworkDirectory directory) => DirectorySchedule.RefreshWindow(directory);

    /// <summary>Refreshes on schedule until cancelled; failed attempts are retried with growing delays.</summary>
    public async Task RunRefreshLoopAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var delay = _schedule.DelayBeforeNextAttempt(failures, Current, Now);
            try
            {
                if (delay > TimeSpan.Zero)
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                await RefreshAsync(cancellationToken).ConfigureAwait(false);
                failures = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures = Math.Min(failures + 1, 30);
                var current = Current;
                if (current != null && !current.IsLive(Now))
                    _logger.LogWarning("Consensus refresh failed ({Reason}); the consensus held expired at {ValidUntil:u}.", e.Message, current.ValidUntil);
                else
                    _logger.LogInformation("Consensus refresh failed ({Reason}); retrying.", e.Message);
            }
        }
    }

    /// <summary>Fetches a newer consensus and its missing microdescriptors now, then installs them.</summary>
    public async Task<NetworkDirectory> RefreshAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (verification, text) = await FetchConsensusAsync(null, cancellationToken).ConfigureAwait(false);
            Install(verification, text);
            UsedCachedConsensus = false;
            await FetchMissingMicrodescriptorsAsync(null, cancellationToken).ConfigureAwait(false);
            var current = Current!;
            _logger.LogInformation("New consensus: {Directory}, valid until {ValidUntil:u}.", current, current.ValidUntil);
            DirectoryChanged?.Invoke(current);
            return current;
        }
        finally
        {
            _gate.Release();
        }
    }

    // ================================================================ cache

    private void LoadFromCache()
    {
        if (_store == null)
            return;
        var now = Now;
        var certText = _store.Read(DirectoryStore.CertificatesFile, _options.MaxCertificateBytes * 4L);
        if (certText != null)
        {
            var (good, problems) = ParseCertificates(certText, null, now);
            foreach (var p in problems)
                _logger.LogWarning("Cached authority certificates in {Dir}: {Problem}; ignoring it.", _store.CacheDir, p);
            AddCertificates(good, now);
        }

        // Microdescriptors: each entry is parsed on its own and kept by digest until a consensus
        // says which are wanted. An altered entry no longer has a listed digest: it is dropped and
        // refetched.
        var mdText = _store.Read(DirectoryStore.MicrodescriptorsFile, ConsensusParser.MaxDocumentBytes);
        if (mdText != null)
        {
            var cached = new Dictionary<Digest256, StoredMicrodescriptor>();
            var unreadable = 0;
            foreach (var chunk in DocumentSplitter.Microdescriptors(mdText))
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
            if (unreadable > 0)
                _logger.LogWarning("Cached microdescriptors in {Dir}: {Unreadable} entries are unreadable; ignoring them.", _store.CacheDir, unreadable);
            lock (_lock)
                _microdescriptors = cached;
        }

        var consensusText = _store.Read(DirectoryStore.ConsensusFile, _options.MaxConsensusBytes);
        if (consensusText == null)
            return;
        MicrodescConsensus consensus;
        try
        {
            consensus = MicrodescConsensus.Parse(consensusText);
            if (consensus.Flavor != ConsensusFlavor.Microdesc)
                throw new NetDocException($"it is the '{consensus.Flavor}' flavour, not 'microdesc'");
        }
        catch (NetDocException e)
        {
            Reject($"is corrupt ({e.Message})");
            return;
        }
        if (now > consensus.ValidUntil)
        {
            _logger.LogInformation("Cached consensus expired at {ValidUntil:u}; fetching a new one.", consensus.ValidUntil);
            return;
        }
        var verification = ConsensusVerifier.Verify(consensus, CertificatesSnapshot(), _options.Authorities, now);
        if (!verification.IsAccepted)
        {
            Reject($"fails verification ({verification})");
            return;
        }

        var listed = consensus.Routers.Where(r => r.MicrodescDigest != null).Select(r => r.MicrodescDigest!.Value).ToHashSet();
        Dictionary<Digest256, StoredMicrodescriptor> loaded;
        int unlisted;
        lock (_lock)
        {
            loaded = _microdescriptors.Where(kv => listed.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
            unlisted = _microdescriptors.Count - loaded.Count;
            _microdescriptors = loaded;
        }
        var directory = NetworkDirectory.Create(verification, loaded.Values.Select(m => m.Microdescriptor));
        if (unlisted > 0 && directory.MissingMicrodescriptors.Count > 0)
        {
            _logger.LogWarning("Cached microdescriptors in {Dir}: {Unlisted} not listed by the consensus (stale or altered); {Missing} will be fetched.",
                _store.CacheDir, unlisted, directory.MissingMicrodescriptors.Count);
        }
        SetCurrent(directory);
        UsedCachedConsensus = true;
        _logger.LogInformation("Using the cached consensus (valid until {ValidUntil:u}) with {Count} cached microdescriptors.", consensus.ValidUntil, loaded.Count);

        void Reject(string why)
        {
            _logger.LogWarning("Cached consensus {Path} {Why}; discarding it and fetching a fresh one.", _store.PathOf(DirectoryStore.ConsensusFile), why);
            _store.Delete(DirectoryStore.ConsensusFile);
        }
    }

    // ================================================================ consensus

    private async Task<(ConsensusVerification, byte[])> FetchConsensusAsync(IProgress<BootstrapStatus>? progress, CancellationToken cancellationToken)
    {
        var servers = _fetcher.ServersInOrder(Current != null ? CacheServers?.Invoke() ?? [] : []);
        var errors = new List<string>();
        var attempts = Math.Min(_options.MaxConsensusAttempts, Math.Max(1, servers.Count) * 2);
        for (var i = 0; i < attempts; i++)
        {
            var server = servers[i % servers.Count];
            try
            {
                progress?.Report(BootstrapStatus.LoadingConsensus);
                Statistics.CountConsensusRequest();
                var response = await _fetcher.RequestAsync(server, DirUrls.Consensus(_authorityIds), _options.MaxConsensusBytes, ConsensusParser.MaxDocumentBytes, cancellationToken).ConfigureAwait(false);
                MicrodescConsensus consensus;
                try
                {
                    consensus = MicrodescConsensus.Parse(response.Body);
                }
                catch (NetDocException e)
                {
                    throw new DirectoryException(DirectoryErrorKind.BadDocument, $"the consensus does not parse: {e.Message}", e);
                }
                if (consensus.Flavor != ConsensusFlavor.Microdesc)
                    throw new DirectoryException(DirectoryErrorKind.BadDocument, $"asked for the microdesc consensus, got the '{consensus.Flavor}' flavour");
                CheckTimeliness(consensus);

                progress?.Report(BootstrapStatus.LoadingCertificates);
                await FetchMissingCertificatesAsync(consensus, server, servers, cancellationToken).ConfigureAwait(false);
                var verification = ConsensusVerifier.Verify(consensus, CertificatesSnapshot(), _options.Authorities, Now);
                if (!verification.IsAccepted)
                    throw new DirectoryException(DirectoryErrorKind.NotAccepted, verification.ToString());
                _logger.LogDebug("Consensus valid-after {ValidAfter:u} from {Server}: {Verification}.", consensus.ValidAfter, server, verification);
                return (verification, response.Body);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Statistics.CountFailure();
                errors.Add($"{server}: {e.Message}");
                _logger.LogInformation("Consensus fetch from {Server} failed: {Reason}", server, e.Message);
            }
        }
        throw new DirectoryException(DirectoryErrorKind.Exhausted,
            $"no usable consensus after {attempts} attempts: " + string.Join("; ", errors.TakeLast(6)));
    }

    private void CheckTimeliness(MicrodescConsensus consensus)
    {
        var now = Now;
        if (now > consensus.ValidUntil)
            throw new DirectoryException(DirectoryErrorKind.Stale, $"the consensus expired at {consensus.ValidUntil:u} (now {now:u})");
        if (consensus.ValidAfter > now + _options.MaxClockSkew)
            throw new DirectoryException(DirectoryErrorKind.Stale,
                $"the consensus is valid only from {consensus.ValidAfter:u}, but it is {now:u} here: is this computer's clock right?");
        if (Current is { } held && consensus.ValidAfter <= held.ValidAfter && held.IsLive(now))
            throw new DirectoryException(DirectoryErrorKind.Stale, $"the consensus (valid-after {consensus.ValidAfter:u}) is not newer than the one held");
    }

    private async Task FetchMissingCertificatesAsync(MicrodescConsensus consensus, DirectoryServer first, IReadOnlyList<DirectoryServer> servers, CancellationToken cancellationToken)
    {
        var now = Now;
        var have = CertificatesSnapshot();
        var needed = consensus.Signatures
            .Where(s => _authorityIds.Contains(s.Identity)
                && !have.Any(c => c.Fingerprint == s.Identity && c.SigningKeyDigest == s.SigningKeyDigest && !c.IsExpiredAt(now) && !c.IsNotYetValidAt(now)))
            .Select(s => s.Identity)
            .ToHashSet();
        if (needed.Count == 0)
            return;
        // The server that had the consensus should have its certificates; one other as a fallback.
        var candidates = new List<DirectoryServer> { first };
        candidates.AddRange(servers.Where(s => s != first).Take(1));
        foreach (var server in candidates)
        {
            try
            {
                Statistics.CountCertificateRequest();
                var response = await _fetcher.RequestAsync(server, DirUrls.Certificates(needed), _options.MaxCertificateBytes, _options.MaxCertificateBytes, cancellationToken).ConfigureAwait(false);
                var (good, problems) = ParseCertificates(response.Body, needed, now);
                foreach (var p in problems)
                    _logger.LogWarning("Authority certificate from {Server} refused: {Problem}.", server, p);
                AddCertificates(good, now);
                SaveCertificates();
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Statistics.CountFailure();
                _logger.LogInformation("Certificate fetch from {Server} failed: {Reason}", server, e.Message);
            }
        }
    }

    /// <summary>Certificates that pass their own checks, are current, and belong to a configured
    /// (and, when given, requested) authority; plus a description of each one refused.</summary>
    private (List<StoredCertificate> Good, List<string> Problems) ParseCertificates(byte[] text, IReadOnlySet<RsaIdentity>? requested, DateTime now)
    {
        var good = new List<StoredCertificate>();
        var problems = new List<string>();
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
                _logger.LogDebug("Dropping expired certificate of {Authority} (expired {Expires:u}).", cert.Fingerprint.ToHex(), cert.Expires);
            else
                good.Add(new StoredCertificate(cert, chunk.ToArray()));
        }
        return (good, problems);
    }

    private void AddCertificates(IEnumerable<StoredCertificate> certificates, DateTime now)
    {
        lock (_lock)
        {
            var all = _certificates.Concat(certificates)
                .Where(c => !c.Certificate.IsExpiredAt(now))
                .GroupBy(c => (c.Certificate.Fingerprint, c.Certificate.SigningKeyDigest))
                .Select(g => g.First())
                .GroupBy(c => c.Certificate.Fingerprint)
                .SelectMany(g => g.OrderByDescending(c => c.Certificate.Published).Take(_options.MaxCertificatesPerAuthority))
                .ToList();
            _certificates = all;
        }
    }

    private List<AuthorityCertificate> CertificatesSnapshot()
    {
        lock (_lock)
            return _certificates.Select(c => c.Certificate).ToList();
    }

    private void SaveCertificates()
    {
        List<byte[]> texts;
        lock (_lock)
            texts = _certificates.Select(c => c.Text).ToList();
        _store?.Write(DirectoryStore.CertificatesFile, texts);
    }

    /// <summary>Installs a verified consensus: microdescriptors held and still listed carry over.</summary>
    private void Install(ConsensusVerification verification, byte[] text)
    {
        var listed = verification.Consensus.Routers.Where(r => r.MicrodescDigest != null).Select(r => r.MicrodescDigest!.Value).ToHashSet();
        List<Microdescriptor> carried;
        lock (_lock)
        {
            _microdescriptors = _microdescriptors.Where(kv => listed.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
            carried = _microdescriptors.Values.Select(m => m.Microdescriptor).ToList();
        }
        SetCurrent(NetworkDirectory.Create(verification, carried));
        _store?.Write(DirectoryStore.ConsensusFile, text);
        SaveCertificates();
    }

    private void SetCurrent(NetworkDirectory directory)
    {
        _schedule.OnInstalled(directory);
        lock (_lock)
            _current = directory;
    }

    // ================================================================ microdescriptors

    private async Task FetchMissingMicrodescriptorsAsync(IProgress<BootstrapStatus>? progress, CancellationToken cancellationToken)
    {
        var directory = Current!;
        var missing = directory.MissingMicrodescriptors.ToList();
        if (missing.Count == 0)
        {
            progress?.Report(BootstrapStatus.LoadingMicrodescriptors(1));
            return;
        }
        var total = missing.Count;
        var done = 0;
        progress?.Report(BootstrapStatus.LoadingMicrodescriptors(0));
        var batches = new Queue<List<Digest256>>(missing.Chunk(DirUrls.MaxMicrodescriptorsPerRequest).Select(c => c.ToList()));
        var servers = _fetcher.ServersInOrder(Current != null ? CacheServers?.Invoke() ?? [] : []);
        var nextServer = 0;
        var received = new List<StoredMicrodescriptor>();
        var failedDigests = 0;

        async Task Worker()
        {
            while (true)
            {
                List<Digest256> batch;
                int size;
                lock (batches)
                {
                    if (!batches.TryDequeue(out batch!))
                        return;
                    size = batch.Count;
                }
                for (var attempt = 0; attempt < _options.MaxMicrodescriptorAttempts && batch.Count > 0; attempt++)
                {
                    DirectoryServer server;
                    lock (batches)
                        server = servers[nextServer++ % servers.Count];
                    try
                    {
                        Statistics.CountMicrodescriptorRequest();
                        var response = await _fetcher.RequestAsync(server, DirUrls.Microdescriptors(batch), _options.MaxMicrodescriptorBatchBytes, _options.MaxMicrodescriptorBatchBytes, cancellationToken).ConfigureAwait(false);
                        var got = ParseMicrodescriptors(response.Body, batch.ToHashSet(), server);
                        Statistics.CountMicrodescriptors(got.Count);
                        lock (received)
                            received.AddRange(got);
                        var gotDigests = got.Select(m => m.Microdescriptor.Digest).ToHashSet();
                        batch = batch.Where(d => !gotDigests.Contains(d)).ToList();
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        Statistics.CountFailure();
                        _logger.LogInformation("Microdescriptor fetch from {Server} failed: {Reason}", server, e.Message);
                    }
                }
                var finished = Interlocked.Add(ref done, size);
                if (batch.Count > 0)
                    Interlocked.Add(ref failedDigests, batch.Count);
                progress?.Report(BootstrapStatus.LoadingMicrodescriptors((double)finished / total));
            }
        }

        var workers = Enumerable.Range(0, Math.Clamp(_options.MaxParallelRequests, 1, Math.Max(1, (total + DirUrls.MaxMicrodescriptorsPerRequest - 1) / DirUrls.MaxMicrodescriptorsPerRequest)))
            .Select(_ => Worker()).ToList();
        await Task.WhenAll(workers).ConfigureAwait(false);

        List<byte[]> texts;
        lock (_lock)
        {
            foreach (var m in received)
                _microdescriptors.TryAdd(m.Microdescriptor.Digest, m);
            texts = _microdescriptors.Values.Select(m => m.Text).ToList();
        }
        var updated = directory.WithMicrodescriptors(received.Select(m => m.Microdescriptor));
        SetCurrentKeepingSchedule(updated);
        _store?.Write(DirectoryStore.MicrodescriptorsFile, texts);
        if (failedDigests > 0)
            _logger.LogInformation("{Failed} of {Total} missing microdescriptors could not be fetched.", failedDigests, total);
    }

    private void SetCurrentKeepingSchedule(NetworkDirectory directory)
    {
        lock (_lock)
            _current = directory;
    }

    private List<StoredMicrodescriptor> ParseMicrodescriptors(byte[] body, IReadOnlySet<Digest256> wanted, DirectoryServer server)
    {
        var result = new List<StoredMicrodescriptor>();
        int bad = 0, unwanted = 0;
        foreach (var chunk in DocumentSplitter.Microdescriptors(body))
        {
            try
            {
                var md = Microdescriptor.Parse(chunk.Span);
                // dir-spec 5.2: discard anything that was not asked for.
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
        if (bad > 0 || unwanted > 0)
            _logger.LogInformation("{Server} sent {Bad} unreadable and {Unwanted} unrequested microdescriptors; they were discarded.", server, bad, unwanted);
        return result;
    }
}
