// The client's directory state machine (dir-spec 5.1, 5.2, 5.4.1): bootstrap from configured
// servers, verify, cache in cache_dir, refresh before expiry.
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
    private readonly DirectoryState _state;
    private readonly DirectoryFetcher _fetcher;
    private readonly DirectorySchedule _schedule;
    private readonly DirectoryStore? _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _cacheLoaded;

    public DirectoryManager(DirectoryManagerOptions options, IDirectoryStreamOpener opener, DirectoryStore? store,
        TimeProvider? time = null, Random? random = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(opener);
        _state = new DirectoryState(options);
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

    public NetworkDirectory? Current => _state.Current;

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
            if (_state.NeedsConsensus(Now))
            {
                progress?.Report(BootstrapStatus.ConnectingToDirectory);
                var (verification, text) = await FetchConsensusAsync(progress, cancellationToken).ConfigureAwait(false);
                Install(verification, text);
                UsedCachedConsensus = false;
            }
            await FetchMissingMicrodescriptorsAsync(progress, cancellationToken).ConfigureAwait(false);
            var current = Current!;
            DirectoryState.CheckEnoughForCircuits(current);
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
            var intake = _state.AcceptCertificates(certText, null, now);
            foreach (var p in intake.Problems)
                _logger.LogWarning("Cached authority certificates in {Dir}: {Problem}; ignoring it.", _store.CacheDir, p);
            LogExpired(intake);
        }

        var mdText = _store.Read(DirectoryStore.MicrodescriptorsFile, ConsensusParser.MaxDocumentBytes);
        if (mdText != null)
        {
            var unreadable = _state.LoadCachedMicrodescriptors(mdText);
            if (unreadable > 0)
                _logger.LogWarning("Cached microdescriptors in {Dir}: {Unreadable} entries are unreadable; ignoring them.", _store.CacheDir, unreadable);
        }

        var consensusText = _store.Read(DirectoryStore.ConsensusFile, _options.MaxConsensusBytes);
        if (consensusText == null)
            return;
        var verdict = _state.LoadCachedConsensus(consensusText, now);
        if (verdict.ExpiredAt is { } expiredAt)
        {
            _logger.LogInformation("Cached consensus expired at {ValidUntil:u}; fetching a new one.", expiredAt);
            return;
        }
        if (verdict.Directory is not { } directory)
        {
            _logger.LogWarning("Cached consensus {Path} {Why}; discarding it and fetching a fresh one.", _store.PathOf(DirectoryStore.ConsensusFile), verdict.Reason);
            _store.Delete(DirectoryStore.ConsensusFile);
            return;
        }
        if (verdict.DroppedMicrodescriptors > 0 && directory.MissingMicrodescriptors.Count > 0)
        {
            _logger.LogWarning("Cached microdescriptors in {Dir}: {Unlisted} not listed by the consensus (stale or altered); {Missing} will be fetched.",
                _store.CacheDir, verdict.DroppedMicrodescriptors, directory.MissingMicrodescriptors.Count);
        }
        _schedule.OnInstalled(directory);
        UsedCachedConsensus = true;
        _logger.LogInformation("Using the cached consensus (valid until {ValidUntil:u}) with {Count} cached microdescriptors.", directory.ValidUntil, verdict.KeptMicrodescriptors);
    }

    private void LogExpired(CertificateIntake intake)
    {
        foreach (var cert in intake.Expired)
            _logger.LogDebug("Dropping expired certificate of {Authority} (expired {Expires:u}).", cert.Fingerprint.ToHex(), cert.Expires);
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
                var response = await _fetcher.RequestAsync(server, DirUrls.Consensus(_state.AuthorityIds), _options.MaxConsensusBytes, ConsensusParser.MaxDocumentBytes, cancellationToken).ConfigureAwait(false);
                var consensus = DirectoryState.ParseConsensus(response.Body);
                _state.CheckTimeliness(consensus, Now);

                progress?.Report(BootstrapStatus.LoadingCertificates);
                await FetchMissingCertificatesAsync(consensus, server, servers, cancellationToken).ConfigureAwait(false);
                var verification = _state.Verify(consensus, Now);
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
            $"no usable consensus after {attempts} attempts: " + Summarize(errors));
    }

    /// <summary>The attempts' errors, each distinct one once with how often it happened (the same
    /// unreachable authorities, tried twice each, would otherwise fill a screen), at most six.</summary>
    internal static string Summarize(IReadOnlyList<string> errors)
    {
        var groups = errors.GroupBy(e => e, StringComparer.Ordinal).ToList();
        var shown = groups.Take(6).Select(g => g.Count() == 1 ? g.Key : $"{g.Key} ({g.Count()} times)");
        var more = groups.Count > 6 ? $"; {groups.Count - 6} more" : "";
        return string.Join("; ", shown) + more;
    }

    private async Task FetchMissingCertificatesAsync(MicrodescConsensus consensus, DirectoryServer first, IReadOnlyList<DirectoryServer> servers, CancellationToken cancellationToken)
    {
        var needed = _state.MissingCertificates(consensus, Now);
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
                var intake = _state.AcceptCertificates(response.Body, needed, Now);
                foreach (var p in intake.Problems)
                    _logger.LogWarning("Authority certificate from {Server} refused: {Problem}.", server, p);
                LogExpired(intake);
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

    private void SaveCertificates() => _store?.Write(DirectoryStore.CertificatesFile, _state.CertificateTexts());

    /// <summary>Installs a verified consensus and caches it with its certificates.</summary>
    private void Install(ConsensusVerification verification, byte[] text)
    {
        var directory = _state.Install(verification);
        _schedule.OnInstalled(directory);
        _store?.Write(DirectoryStore.ConsensusFile, text);
        SaveCertificates();
    }

    // ================================================================ microdescriptors

    private async Task FetchMissingMicrodescriptorsAsync(IProgress<BootstrapStatus>? progress, CancellationToken cancellationToken)
    {
        var directory = Current!;
        var pending = _state.MissingMicrodescriptorBatches();
        var total = pending.Sum(b => b.Count);
        if (total == 0)
        {
            progress?.Report(DirectoryState.MicrodescriptorProgress(0, 0));
            return;
        }
        var done = 0;
        progress?.Report(DirectoryState.MicrodescriptorProgress(0, total));
        var batches = new Queue<List<Digest256>>(pending);
        var servers = _fetcher.ServersInOrder(CacheServers?.Invoke() ?? []);
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
                        var intake = DirectoryState.ParseMicrodescriptors(response.Body, batch.ToHashSet());
                        if (intake.Unreadable > 0 || intake.Unwanted > 0)
                            _logger.LogInformation("{Server} sent {Bad} unreadable and {Unwanted} unrequested microdescriptors; they were discarded.", server, intake.Unreadable, intake.Unwanted);
                        Statistics.CountMicrodescriptors(intake.Wanted.Count);
                        lock (received)
                            received.AddRange(intake.Wanted);
                        var gotDigests = intake.Wanted.Select(m => m.Microdescriptor.Digest).ToHashSet();
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
                progress?.Report(DirectoryState.MicrodescriptorProgress(finished, total));
            }
        }

        var workers = Enumerable.Range(0, Math.Clamp(_options.MaxParallelRequests, 1, pending.Count))
            .Select(_ => Worker()).ToList();
        await Task.WhenAll(workers).ConfigureAwait(false);

        _state.AddMicrodescriptors(directory, received);
        _store?.Write(DirectoryStore.MicrodescriptorsFile, _state.MicrodescriptorTexts());
        if (failedDigests > 0)
            _logger.LogInformation("{Failed} of {Total} missing microdescriptors could not be fetched.", failedDigests, total);
    }
}
