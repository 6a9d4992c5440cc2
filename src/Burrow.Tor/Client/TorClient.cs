// The in-process Tor client: bootstrap (dir-spec 5), circuits for streams (path-spec 2.1,
// guard-spec), streams and resolves (tor-spec 6.2, 6.4), required protocols (dir-spec 3.4.1).
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Burrow.Tor.Channels;
using Burrow.Tor.CircMgr;
using Burrow.Tor.Circuits;
using Burrow.Tor.Dir;
using Burrow.Tor.Guards;
using Burrow.Tor.NetDir;
using Burrow.Tor.Onion;
using Burrow.Tor.PathSelection;
using Burrow.Tor.Streams;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Tor.Client;

/// <summary>
/// A Tor client: <see cref="BootstrapAsync"/> gets a verified directory (from cache_dir when it is
/// still valid) and builds a first circuit; then <see cref="ConnectAsync(IPEndPoint, string?, CancellationToken)"/>
/// opens streams through exit circuits chosen by port, isolated by key, and retried on another
/// exit when one refuses. The directory is refreshed in the background; guard state persists in
/// state_dir. Dispose closes circuits and channels and saves the guard state.
/// </summary>
/// <remarks>Failures are <see cref="TorClientException"/>s whose <see cref="TorClientException.Kind"/> says
/// what went wrong; stream I/O failures are <see cref="IOException"/>s.</remarks>
/// <example>
/// <code>
/// await using var tor = new TorClient(new TorClientOptions { StateDir = "/var/lib/me/tor", CacheDir = "/var/cache/me/tor" });
/// await tor.BootstrapAsync(new Progress&lt;BootstrapStatus&gt;(s =&gt; Console.WriteLine(s)));
/// await using var connection = await tor.ConnectAsync("example.com", 80, isolationKey: "job-1");
/// await connection.WriteAsync("GET / HTTP/1.0\r\nHost: example.com\r\n\r\n"u8.ToArray());
/// Console.WriteLine($"via {connection.ExitDescription}: {await new StreamReader(connection).ReadToEndAsync()}");
/// </code>
/// </example>
public sealed class TorClient : IAsyncDisposable
{
    private static readonly TimeSpan MaintenanceInterval = TimeSpan.FromSeconds(5);

    private readonly TorClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ChannelManager _channels;
    private readonly DirectoryCircuits _directoryCircuits;
    private readonly DirectoryManager _directory;
    private readonly GuardManager _guards;
    private readonly PathSelector _selector;
    private readonly CircuitPool _pool;
    private readonly OnionServiceClient _onion;
    private readonly CircuitBuildTimeouts _buildTimeouts;
    private ChannelPadding? _channelPadding;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _bootstrapGate = new(1, 1);
    private CircuitParameters _circuitParameters = CircuitParameters.Default;
    private BootstrapStatus _bootstrap = BootstrapStatus.Starting;
    private string? _protocolProblem;
    private string? _protocolWarning;
    private readonly ConditionalWeakTable<Circuit, CircuitCounters> _circuitCounters = new();
    private long _nextCircuitId;
    private bool _ready;
    private Task? _refreshLoop;
    private Task? _maintenanceLoop;
    private int _disposed;

    /// <summary>A client for the network <paramref name="options"/> describe (the public Tor network unless it
    /// names authorities). Nothing touches the network before <see cref="BootstrapAsync"/>. Throws
    /// <see cref="ArgumentException"/> for options it cannot use.</summary>
    public TorClient(TorClientOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.StateDir);
        ArgumentException.ThrowIfNullOrEmpty(options.CacheDir);
        if (options.SocketMark is { } mark && !OperatingSystem.IsLinux())
            throw new ArgumentException($"TorClientOptions.SocketMark ({mark}) is Linux-only (SO_MARK); on this system it must be null.", nameof(options));
        _options = options;
        _time = time ?? TimeProvider.System;
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger("Burrow.Tor.Client");

        var authorities = options.Authorities.Count > 0 ? options.Authorities : PublicAuthorities.Authorities;
        var servers = options.FallbackCaches.Count > 0
            ? options.FallbackCaches.Select(f => DirectoryServer.FromFallback(f)).ToList()
            : PublicAuthorities.AuthorityCaches.Select(a => DirectoryServer.FromFallback(a.Cache, a.Name)).ToList();
        if (options.Authorities.Count == 0 && options.FallbackCaches.Count > 0)
            _logger.LogWarning("Fallback caches are configured but no authorities: consensuses must be signed by the public network's authorities.");

        _selector = new PathSelector(new PathRules
        {
            Ipv4SubnetFamilyPrefix = options.Ipv4SubnetFamilyPrefix,
            Ipv6SubnetFamilyPrefix = options.Ipv6SubnetFamilyPrefix,
        });
        _channels = new ChannelManager(ChannelOptions.Default with
        {
            Clock = () => _time.GetUtcNow(),
            SocketMark = options.SocketMark,
            // padding-spec 2: channels opened once a consensus is known pad by its nf_* parameters.
            Padding = () => Volatile.Read(ref _channelPadding),
        }, loggerFactory.CreateLogger("Burrow.Tor.Channels"));
        var circuitLogger = loggerFactory.CreateLogger("Burrow.Tor.Circuits");
        // One builder for every circuit; exit and directory circuits differ only in their timeouts.
        var exitBuilder = new CircuitBuilder(_channels, () => _circuitParameters, circuitLogger)
        {
            HopTimeout = options.CircuitBuildTimeout,
            StreamOpenTimeout = options.StreamOpenTimeout,
        };
        var directoryBuilder = new CircuitBuilder(_channels, () => _circuitParameters, circuitLogger)
        {
            HopTimeout = options.DirectoryRequestTimeout,
            StreamOpenTimeout = options.DirectoryRequestTimeout,
        };
        _directoryCircuits = new DirectoryCircuits(directoryBuilder, options.DirectoryRequestTimeout, circuitLogger);
        _directory = new DirectoryManager(
            new DirectoryManagerOptions { Authorities = authorities, BootstrapServers = servers, RequestTimeout = options.DirectoryRequestTimeout },
            _directoryCircuits, new DirectoryStore(options.CacheDir, loggerFactory.CreateLogger("Burrow.Tor.Dir")), _time, null,
            loggerFactory.CreateLogger("Burrow.Tor.Dir"))
        {
            CacheServers = DirectoryGuards,
        };
        _guards = new GuardManager(new GuardStore(options.StateDir, loggerFactory.CreateLogger("Burrow.Tor.Guards")), _selector, _time, null,
            loggerFactory.CreateLogger("Burrow.Tor.Guards"));
        var poolOptions = new CircuitPoolOptions
        {
            CircuitBuildTimeout = options.CircuitBuildTimeout,
            MaxCircuitDirtiness = options.MaxCircuitDirtiness,
            MaxCircuitBuildAttempts = options.MaxCircuitBuildAttempts,
            PreemptivePorts = options.PreemptivePorts,
            PreemptiveCircuitsPerPort = options.PreemptiveCircuitsPerPort,
            MaxCleanCircuits = options.MaxCleanCircuits,
            MaxCircuits = options.MaxCircuits,
        };
        // Adaptive circuit build timeouts (path-spec 2.4), learned and kept in state_dir, never above the configured one.
        _buildTimeouts = new CircuitBuildTimeouts(options.StateDir, options.CircuitBuildTimeout, circuitLogger);
        _pool = new CircuitPool(() => _directory.Current, _selector, _guards, exitBuilder, poolOptions, _time, circuitLogger, _buildTimeouts);
        // Onion-service circuits: the same builder class; no liveness probe, because a probe (RESOLVE) on a
        // rendezvous circuit would go to the service, which need not answer it.
        var onionBuilder = new CircuitBuilder(_channels, () => _circuitParameters, circuitLogger)
        {
            HopTimeout = options.CircuitBuildTimeout,
            StreamOpenTimeout = options.StreamOpenTimeout,
            StallProbeAfter = TimeSpan.FromDays(1),
        };
        _onion = new OnionServiceClient(() => _directory.Current, _selector, _guards, onionBuilder,
            new OnionServiceOptions { ClientAuthDir = options.OnionClientAuthDir, TestingNetwork = options.TestingTorNetwork, ConnectTimeout = options.OnionConnectTimeout, StepTimeout = options.StreamOpenTimeout },
            _time, loggerFactory.CreateLogger("Burrow.Tor.Onion"));
        _pool.CircuitBuilt += OnCircuitBuilt;
        _pool.CircuitBuildFailed += OnCircuitBuildFailed;
        _directory.DirectoryChanged += OnDirectoryChanged;
    }

    /// <summary>A circuit was built and joined the pool. Raised on the building task: keep handlers short.</summary>
    public event EventHandler<TorCircuitInfo>? CircuitBuilt;

    /// <summary>A circuit could not be built. Raised on the building task: keep handlers short.</summary>
    public event EventHandler<TorCircuitFailure>? CircuitFailed;

    /// <summary>Directory requests made so far (for status and tests).</summary>
    internal DirectoryStatistics DirectoryStatistics => _directory.Statistics;

    /// <summary>Raised on every bootstrap progress step (also reported to BootstrapAsync's progress). Runs on
    /// the bootstrapping thread: keep handlers short.</summary>
    public event EventHandler<BootstrapStatus>? BootstrapProgress;

    /// <summary>Whether the last bootstrap used the consensus from cache_dir.</summary>
    public bool UsedCachedConsensus => _directory.UsedCachedConsensus;

    /// <summary>Bootstrapped and able to serve requests.</summary>
    public bool IsReady => _ready && _protocolProblem == null;

    internal NetworkDirectory? Directory => _directory.Current;

    internal CircuitPool Circuits => _pool;

    internal GuardManager Guards => _guards;

    /// <summary>A snapshot of the client: bootstrap, directory, circuits, channels, guards.</summary>
    public TorClientStatus Status => GetStatus();

    /// <summary>A snapshot of the client: bootstrap, directory and its liveness, circuits, channels, guards,
    /// clock skew, protocol warnings.</summary>
    public TorClientStatus GetStatus()
    {
        var dir = _directory.Current;
        var (open, clean, pending) = _pool.Counts;
        var channels = _channels.OpenChannels;
        var offsets = channels.Select(c => c.PeerClockOffset).OfType<TimeSpan>().Order().ToList();
        var now = _time.GetUtcNow().UtcDateTime;
        var consensusProblem = ConsensusTimeline.ProblemOf(dir, now);
        string[] warnings = [.. new[] { _protocolProblem, consensusProblem, _protocolWarning }.OfType<string>()];
        return new TorClientStatus
        {
            Bootstrap = _bootstrap,
            IsReady = IsReady,
            Problem = _protocolProblem ?? consensusProblem,
            ConsensusLiveness = ConsensusTimeline.LivenessOf(dir, now),
            ConsensusLivenessDetail = ConsensusTimeline.Describe(dir, now),
            ConsensusValidAfter = dir?.ValidAfter,
            ConsensusValidUntil = dir?.ValidUntil,
            NextConsensusFetch = _directory.NextRefresh,
            Relays = dir?.Relays.Count ?? 0,
            RelaysWithMicrodescriptors = dir?.RelaysWithMicrodescriptor ?? 0,
            ConsensusIsLive = dir?.IsLive(_time.GetUtcNow().UtcDateTime) ?? false,
            OpenCircuits = open,
            CleanCircuits = clean,
            BuildingCircuits = pending,
            // The relays' clocks (NETINFO) against ours: the median, so one wrong relay does not decide.
            ClockSkew = offsets.Count == 0 ? _channels.ClockSkew.Median : offsets[offsets.Count / 2],
            ClockSkewWarning = _channels.ClockSkew.Warning,
            CircuitBuildTimeout = _buildTimeouts.Current.Usage,
            CircuitBuildTimeoutLearned = _buildTimeouts.Estimate?.Learned ?? false,
            CircuitBuildTimeSamples = _buildTimeouts.Samples,
            ProtocolWarnings = warnings,
            SampledGuards = dir != null ? _guards.Snapshot() : [],
            CircuitsBuilt = _pool.CircuitsBuilt,
            CircuitBuildFailures = _pool.CircuitBuildFailures,
            OpenChannels = channels.Count,
            PrimaryGuards = dir != null ? _guards.PrimaryGuards : [],
            DirectoryRequests = _directory.Statistics.ToString(),
        };
    }

    // ================================================================ circuits as data

    /// <summary>The open exit circuits, oldest first: relays, age, dirtiness, isolation key, streams and bytes.</summary>
    public IReadOnlyList<TorCircuitInfo> GetCircuits()
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return _pool.Snapshot().Select(c => Describe(c, now)).OrderBy(c => c.Id).ToList();
    }

    /// <summary>
    /// A new identity (Tor Browser's "New Identity", the control port's NEWNYM): every open circuit stops
    /// taking new streams; idle ones close now, busy ones when their streams end. New streams get new
    /// circuits. Returns the circuits retired (as they were just before).
    /// </summary>
    public IReadOnlyList<TorCircuitInfo> NewIdentity()
    {
        ThrowIfDisposed();
        var now = _time.GetUtcNow().UtcDateTime;
        var before = _pool.Snapshot().Where(c => c.Accepts(c.IsolationKey ?? "", now, _options.MaxCircuitDirtiness)).Select(c => Describe(c, now)).ToList();
        var retired = _pool.RetireAll();
        _logger.LogInformation("New identity: {Count} circuits take no new streams.", retired.Count);
        var ids = retired.Select(c => CountersOf(c.Circuit).Id).ToHashSet();
        return before.Where(c => ids.Contains(c.Id)).OrderBy(c => c.Id).ToList();
    }

    private CircuitCounters CountersOf(Circuit circuit) =>
        _circuitCounters.GetValue(circuit, _ => new CircuitCounters(Interlocked.Increment(ref _nextCircuitId)));

    private TorCircuitInfo Describe(PooledCircuit c, DateTime now)
    {
        var counters = CountersOf(c.Circuit);
        return new TorCircuitInfo
        {
            Id = counters.Id,
            Purpose = "exit",
            Hops = c.Path.Hops.Select(h => new TorCircuitHop(h.Nickname, h.RsaIdentity.ToHex(), h.OrPort)).ToList(),
            BuiltAt = c.BuiltAt,
            FirstUsedAt = c.FirstUsedAt,
            Age = now - c.BuiltAt,
            IsUsable = c.Accepts(c.IsolationKey ?? "", now, _options.MaxCircuitDirtiness),
            IsolationKey = c.IsolationKey,
            Streams = c.Circuit.StreamCount,
            BytesSent = counters.BytesSent,
            BytesReceived = counters.BytesReceived,
        };
    }

    private void OnCircuitBuilt(PooledCircuit circuit)
    {
        if (CircuitBuilt is not { } handler)
        {
            _ = CountersOf(circuit.Circuit); // numbered in build order all the same
            return;
        }
        try { handler(this, Describe(circuit, _time.GetUtcNow().UtcDateTime)); }
        catch (Exception e) { _logger.LogWarning("A CircuitBuilt handler failed: {Reason}", e.Message); }
    }

    private void OnCircuitBuildFailed(CircuitPath path, string reason)
    {
        if (CircuitFailed is not { } handler)
            return;
        try { handler(this, new TorCircuitFailure(path.Hops.Select(h => h.Nickname).ToList(), reason, _time.GetUtcNow().UtcDateTime)); }
        catch (Exception e) { _logger.LogWarning("A CircuitFailed handler failed: {Reason}", e.Message); }
    }

    // ================================================================ bootstrap

    /// <summary>
    /// Gets a verified directory and builds a first circuit, reporting progress (0-100%). Calling it
    /// again after success returns at once. Throws <see cref="TorClientException"/> (DirectoryFailed,
    /// UnsupportedProtocols, NoPath, CircuitFailed).
    /// </summary>
    public async Task BootstrapAsync(IProgress<BootstrapStatus>? progress = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await _bootstrapGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ready)
            {
                progress?.Report(_bootstrap);
                return;
            }
            _bootstrap = BootstrapStatus.Starting;
            var report = new Progress(this, progress);
            var started = _time.GetTimestamp();
            NetworkDirectory dir;
            try
            {
                dir = await _directory.BootstrapAsync(report, cancellationToken).ConfigureAwait(false);
            }
            catch (DirectoryException e)
            {
                throw new TorClientException(TorClientErrorKind.DirectoryFailed, $"Bootstrap failed: {e.Message}", e);
            }
            if (_protocolProblem != null)
                throw new TorClientException(TorClientErrorKind.UnsupportedProtocols, _protocolProblem);

            report.Report(BootstrapStatus.BuildingCircuits);
            var firstPort = _options.PreemptivePorts.Count > 0 ? _options.PreemptivePorts[0] : 80;
            try
            {
                await _pool.EnsureCleanCircuitAsync(ExitRequirement.ForPort(firstPort, rules: _selector.Rules), cancellationToken).ConfigureAwait(false);
            }
            catch (CircuitPoolException e)
            {
                throw PoolError(e);
            }
            _ready = true;
            report.Report(BootstrapStatus.Done);
            _logger.LogInformation("Bootstrapped in {Seconds:0.0} s ({Source}; {Relays} relays).",
                _time.GetElapsedTime(started).TotalSeconds, _directory.UsedCachedConsensus ? "cached consensus" : "fresh consensus", dir.Relays.Count);
            _refreshLoop ??= Task.Run(() => _directory.RunRefreshLoopAsync(_stop.Token));
            _maintenanceLoop ??= Task.Run(MaintainAsync);
        }
        finally
        {
            _bootstrapGate.Release();
        }
    }

    private volatile bool _useOptimisticData = true;

    /// <summary>Whether streams send optimistic data (the consensus parameter UseOptimisticData, default 1).</summary>
    internal bool UsesOptimisticData => _useOptimisticData;

    private void OnDirectoryChanged(NetworkDirectory dir)
    {
        var p = dir.Params;
        _circuitParameters = CircuitParameters.FromConsensus(p);
        // dir-spec 3.4.1 UseOptimisticData (default 1): 0 tells clients to wait for CONNECTED before sending.
        _useOptimisticData = p.Get("UseOptimisticData", 1, 0, 1) == 1;
        _guards.OnConsensus(dir);
        _buildTimeouts.OnConsensus(p);
        Volatile.Write(ref _channelPadding, ChannelPadding.For(_options.ConnectionPadding, Padding.NetflowPadding.FromConsensus(p)));
        var missing = SupportedProtocols.Missing(dir.Consensus.RequiredClientProtocols);
        if (missing.Length > 0)
        {
            _protocolProblem = $"The Tor network requires protocols this client does not implement: {missing} " +
                $"(required: {dir.Consensus.RequiredClientProtocols}; this client supports: {SupportedProtocols.Text}). Update Burrow.";
            _logger.LogError("{Problem}", _protocolProblem);
        }
        else
        {
            _protocolProblem = null;
            var recommended = SupportedProtocols.Missing(dir.Consensus.RecommendedClientProtocols);
            _protocolWarning = recommended.Length > 0 ? $"The consensus recommends protocols this client lacks: {recommended}." : null;
            if (recommended.Length > 0)
                _logger.LogDebug("The consensus recommends protocols this client lacks: {Missing}.", recommended);
        }
    }

    private IReadOnlyList<DirectoryServer> DirectoryGuards()
    {
        // Directory fetches after bootstrap go to our primary guards (those whose ntor key we know).
        if (_directory.Current is not { } dir)
            return [];
        var list = new List<DirectoryServer>();
        foreach (var g in _guards.PrimaryGuards)
        {
            if (g.Reachable == GuardReachability.No)
                continue;
            if (dir.ByRsaId(g.Identity) is { HasNtorOnionKey: true } relay && relay.HasFlag(NetDoc.RelayFlags.V2Dir))
                list.Add(DirectoryServer.FromRelay(relay));
        }
        return list;
    }

    private async Task MaintainAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                _pool.Maintain();
                await Task.Delay(MaintenanceInterval, _time, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning("Circuit maintenance failed: {Reason}", e.Message);
            }
        }
    }

    // ================================================================ streams

    /// <summary>Opens a stream to <paramref name="destination"/>. Streams of different isolation keys never share a circuit.</summary>
    public Task<TorConnection> ConnectAsync(IPEndPoint destination, string? isolationKey = null, CancellationToken cancellationToken = default) =>
        ConnectAsync(destination, isolationKey, early: null, cancellationToken);

    /// <summary>Opens a stream to <paramref name="destination"/>, sending what is appended to <paramref name="early"/>
    /// before the exit answers (optimistic data, see <see cref="OptimisticData"/>).</summary>
    public Task<TorConnection> ConnectAsync(IPEndPoint destination, string? isolationKey, OptimisticData? early, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var target = StreamTarget.For(destination);
        var ipv6 = destination.Address.AddressFamily == AddressFamily.InterNetworkV6 && !destination.Address.IsIPv4MappedToIPv6;
        return ConnectAsync(target, ipv6, isolationKey, early, cancellationToken);
    }

    /// <summary>Opens a stream to a hostname (resolved by the exit) or address literal and port.</summary>
    public Task<TorConnection> ConnectAsync(string host, int port, string? isolationKey = null, CancellationToken cancellationToken = default) =>
        ConnectAsync(host, port, isolationKey, early: null, cancellationToken);

    /// <summary>Opens a stream to a hostname or address literal and port, with optimistic data (<see cref="OptimisticData"/>).</summary>
    public Task<TorConnection> ConnectAsync(string host, int port, string? isolationKey, OptimisticData? early, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (Burrow.Tor.Protocol.Onion.OnionAddress.IsOnionName(host))
            return early is null ? ConnectOnionAsync(host, port, cancellationToken) : ConnectOnionThenEarlyAsync(host, port, early, cancellationToken);
        var target = StreamTarget.For(host, port);
        var ipv6 = IPAddress.TryParse(target.Host, out var a) && a.AddressFamily == AddressFamily.InterNetworkV6;
        return ConnectAsync(target, ipv6, isolationKey, early, cancellationToken);
    }

    private Task<TorConnection> ConnectAsync(StreamTarget target, bool ipv6, string? isolationKey, OptimisticData? early, CancellationToken cancellationToken) =>
        OnExitsAsync(
            excluded => ExitRequirement.ForPort(target.Port, ipv6, _selector.Rules) with { ExcludedExits = excluded },
            isolationKey,
            async (circuit, ct) =>
            {
                _logger.LogDebug("Opening a stream to {Target} on {Circuit}.", target, circuit);
                var optimistic = early is not null && _useOptimisticData;
                var stream = await circuit.Circuit.OpenStreamAsync(target,
                    optimistic ? early!.WriteToAsync : null, ct).ConfigureAwait(false);
                if (early is not null && !optimistic)
                {
                    // The network asks clients not to send before CONNECTED: the same bytes, after it.
                    var bytes = early.Seal();
                    if (!bytes.IsEmpty)
                        await stream.WriteAsync(bytes, ct).ConfigureAwait(false);
                }
                var counters = CountersOf(circuit.Circuit);
                // What went out as optimistic data counts like what is written later (failed attempts' copies do not).
                if (early is not null && early.Length > 0)
                    counters.Sent(early.Length);
                return new TorConnection(stream, circuit.Info, circuit.Circuit, counters);
            },
            $"Connecting to {target}", cancellationToken);

    /// <summary>An onion stream opens after the rendezvous: <paramref name="early"/>'s bytes go first once it is open.</summary>
    private async Task<TorConnection> ConnectOnionThenEarlyAsync(string host, int port, OptimisticData early, CancellationToken cancellationToken)
    {
        var connection = await ConnectOnionAsync(host, port, cancellationToken).ConfigureAwait(false);
        try
        {
            var bytes = early.Seal();
            if (!bytes.IsEmpty)
                await connection.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Checks a .onion name without touching the network; false with the reason when it is not a valid v3 address.</summary>
    public static bool IsValidOnionAddress(string host, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(host);
        return Burrow.Tor.Protocol.Onion.OnionAddress.TryParse(host, out _, out error);
    }

    /// <summary>
    /// Opens a stream to port <paramref name="port"/> of the v3 onion service <paramref name="onionHost"/>
    /// ("&lt;56 characters&gt;.onion", subdomains allowed): its descriptor from the HSDirs (cached), a
    /// rendezvous circuit and an introduction. Each connection has its own rendezvous circuit, so streams of
    /// different isolation keys never share one. Throws <see cref="TorClientException"/> with an Onion* kind
    /// (address invalid, service not found, client auth required, introduction failed, proof of work required).
    /// </summary>
    public async Task<TorConnection> ConnectOnionAsync(string onionHost, int port, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onionHost);
        if (!Burrow.Tor.Protocol.Onion.OnionAddress.TryParse(onionHost, out var address, out var error))
            throw new TorClientException(TorClientErrorKind.OnionAddressInvalid, error);
        ThrowIfNotReady();
        try
        {
            var (stream, circuit, info) = await _onion.ConnectAsync(address, port, cancellationToken).ConfigureAwait(false);
            return new TorConnection(stream, info, circuit, CountersOf(circuit));
        }
        catch (Burrow.Tor.Protocol.Onion.OnionException e)
        {
            throw new TorClientException(e.Kind switch
            {
                Burrow.Tor.Protocol.Onion.OnionErrorKind.MalformedAddress => TorClientErrorKind.OnionAddressInvalid,
                Burrow.Tor.Protocol.Onion.OnionErrorKind.ServiceNotFound => TorClientErrorKind.OnionServiceNotFound,
                Burrow.Tor.Protocol.Onion.OnionErrorKind.ClientAuthRequired or Burrow.Tor.Protocol.Onion.OnionErrorKind.InvalidClientAuthKey => TorClientErrorKind.OnionClientAuthRequired,
                Burrow.Tor.Protocol.Onion.OnionErrorKind.InvalidDescriptor => TorClientErrorKind.OnionDescriptorInvalid,
                Burrow.Tor.Protocol.Onion.OnionErrorKind.ProofOfWorkRequired => TorClientErrorKind.OnionProofOfWorkRequired,
                Burrow.Tor.Protocol.Onion.OnionErrorKind.CircuitFailed => TorClientErrorKind.CircuitFailed,
                _ => TorClientErrorKind.OnionIntroductionFailed,
            }, $"Connecting to {address}:{port} failed: {e.Message}", e);
        }
    }

    /// <summary>Resolves a hostname through an exit (RELAY_RESOLVE). Returns the IPv4 and IPv6 addresses.
    /// Throws <see cref="TorClientException"/> (ResolveFailed, Timeout, NoPath, CircuitFailed, ...).</summary>
    public Task<IReadOnlyList<IPAddress>> ResolveAsync(string hostname, string? isolationKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(hostname);
        return OnExitsAsync(
            excluded => ExitRequirement.ForResolve() with { ExcludedExits = excluded },
            isolationKey,
            async (circuit, ct) =>
            {
                var answers = await circuit.Circuit.ResolveAsync(hostname, ct).ConfigureAwait(false);
                var addresses = answers.Select(a => a.Address).OfType<IPAddress>().ToList();
                return addresses.Count > 0
                    ? (IReadOnlyList<IPAddress>)addresses
                    : throw new TorStreamException(TorStreamErrorKind.ResolveFailed, $"Resolving {hostname}: the exit returned no address.");
            },
            $"Resolving {hostname}", cancellationToken);
    }

    /// <summary>
    /// The exit-attempt loop connect and resolve share: up to <see cref="TorClientOptions.MaxStreamAttempts"/>
    /// circuits of the isolation key, each through an exit not tried yet. An exit that refuses is excluded
    /// (path-spec 2.5: treated as unable to serve this request); a circuit whose stream timed out or died
    /// is retired; a final answer (refused, reset, protocol error) ends the loop.
    /// </summary>
    private async Task<T> OnExitsAsync<T>(Func<HashSet<Identities.RsaIdentity>, ExitRequirement> requirementFor, string? isolationKey,
        Func<PooledCircuit, CancellationToken, Task<T>> attempt, string what, CancellationToken cancellationToken)
    {
        ThrowIfNotReady();
        var key = isolationKey ?? "";
        var excluded = new HashSet<Identities.RsaIdentity>();
        var tried = new List<string>();
        TorStreamException? last = null;
        for (var n = 1; n <= _options.MaxStreamAttempts; n++)
        {
            var circuit = await AcquireAsync(requirementFor(excluded), key, last, cancellationToken).ConfigureAwait(false);
            if (circuit == null)
                break;
            tried.Add(circuit.Info.ExitNickname);
            try
            {
                var result = await attempt(circuit, cancellationToken).ConfigureAwait(false);
                CircuitPool.NoteUse(circuit, StreamUseOutcome.Answered);
                return result;
            }
            catch (TorStreamException e) when (!cancellationToken.IsCancellationRequested)
            {
                // Path bias use accounting (path-spec 7.2): an END from the exit is still an expected answer.
                CircuitPool.NoteUse(circuit, e.Kind switch
                {
                    TorStreamErrorKind.Timeout => StreamUseOutcome.TimedOut,
                    TorStreamErrorKind.Destroyed or TorStreamErrorKind.TorProtocol or TorStreamErrorKind.Internal => StreamUseOutcome.Failed,
                    _ => StreamUseOutcome.Answered,
                });
                last = e;
                _logger.LogDebug("Attempt {Attempt} through exit {Exit} failed: {Reason}", n, circuit.Info.ExitNickname, e.Message);
                if (!IsRetryable(e.Kind))
                    break;
                excluded.Add(circuit.ExitIdentity);
                if (e.Kind is TorStreamErrorKind.Timeout or TorStreamErrorKind.Destroyed)
                    _pool.Retire(circuit);
            }
            catch (Exception e) when (e is CircuitException or ChannelException && !cancellationToken.IsCancellationRequested)
            {
                CircuitPool.NoteUse(circuit, StreamUseOutcome.Failed);
                last = new TorStreamException(TorStreamErrorKind.Destroyed, e.Message, e);
                _pool.Retire(circuit);
            }
        }
        throw StreamError(last!, what, tried);
    }

    /// <summary>A circuit for the next attempt; null when a retry finds no other exit or circuit (the caller then
    /// reports the previous attempt's error, which says more about the destination).</summary>
    private async Task<PooledCircuit?> AcquireAsync(ExitRequirement requirement, string key, TorStreamException? previous, CancellationToken cancellationToken)
    {
        try
        {
            return await _pool.AcquireAsync(requirement, key, cancellationToken).ConfigureAwait(false);
        }
        catch (CircuitPoolException e) when (e.Kind is CircuitPoolErrorKind.NoPath or CircuitPoolErrorKind.CircuitFailed && previous != null)
        {
            _logger.LogDebug("No circuit to retry on: {Reason}", e.Message);
            return null;
        }
        catch (CircuitPoolException e)
        {
            throw PoolError(e);
        }
        catch (ObjectDisposedException e)
        {
            throw new TorClientException(TorClientErrorKind.Disposed, "The Tor client has been stopped.", e);
        }
    }

    /// <summary>The pool's failure as the client's (same kinds, same message).</summary>
    private static TorClientException PoolError(CircuitPoolException e) => new(e.Kind switch
    {
        CircuitPoolErrorKind.NotBootstrapped => TorClientErrorKind.NotBootstrapped,
        CircuitPoolErrorKind.NoPath => TorClientErrorKind.NoPath,
        CircuitPoolErrorKind.ConsensusTooOld => TorClientErrorKind.ConsensusTooOld,
        _ => TorClientErrorKind.CircuitFailed,
    }, e.Message, e.InnerException ?? e);

    /// <summary>Failures another exit or circuit may not repeat. A refusing destination (or a reset,
    /// or a protocol error) is final.</summary>
    private static bool IsRetryable(TorStreamErrorKind kind) => kind is not
        (TorStreamErrorKind.ConnectionRefused or TorStreamErrorKind.ConnectionReset or TorStreamErrorKind.TorProtocol);

    private static TorClientException StreamError(TorStreamException e, string what, IReadOnlyList<string> exits)
    {
        var kind = e.Kind switch
        {
            TorStreamErrorKind.ConnectionRefused => TorClientErrorKind.ConnectionRefused,
            TorStreamErrorKind.ResolveFailed => TorClientErrorKind.ResolveFailed,
            TorStreamErrorKind.ExitPolicy => TorClientErrorKind.ExitPolicy,
            TorStreamErrorKind.Timeout => TorClientErrorKind.Timeout,
            TorStreamErrorKind.NoRoute => TorClientErrorKind.HostUnreachable,
            TorStreamErrorKind.ConnectionReset => TorClientErrorKind.ConnectionReset,
            TorStreamErrorKind.TorProtocol => TorClientErrorKind.ProtocolError,
            TorStreamErrorKind.Destroyed or TorStreamErrorKind.Hibernating or TorStreamErrorKind.ResourceLimit => TorClientErrorKind.CircuitClosed,
            _ => TorClientErrorKind.StreamFailed,
        };
        var attempts = exits.Count == 1 ? $"through exit {exits[0]}" : $"after {exits.Count} attempts (exits {string.Join(", ", exits)})";
        return new TorClientException(kind, $"{what} failed {attempts}: {e.Message}", e);
    }

    private void ThrowIfNotReady()
    {
        ThrowIfDisposed();
        if (!_ready)
            throw new TorClientException(TorClientErrorKind.NotBootstrapped, "The Tor client has not bootstrapped yet.");
        if (_protocolProblem != null)
            throw new TorClientException(TorClientErrorKind.UnsupportedProtocols, _protocolProblem);
    }

    private void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0)
            throw new TorClientException(TorClientErrorKind.Disposed, "The Tor client has been stopped.");
    }

    // ================================================================ disposal

    /// <summary>Stops background work, closes circuits and channels, saves the guard state.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _stop.Cancel();
        foreach (var t in new[] { _refreshLoop, _maintenanceLoop })
        {
            if (t == null)
                continue;
            try
            {
                await t.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException)
            {
            }
        }
        await _pool.DisposeAsync().ConfigureAwait(false);
        await _directoryCircuits.DisposeAsync().ConfigureAwait(false);
        await _channels.DisposeAsync().ConfigureAwait(false);
        _guards.Flush();
        _buildTimeouts.Save();
        _stop.Dispose();
        _logger.LogInformation("Tor client stopped.");
    }

    /// <summary>Keeps the last status and forwards it; percentages never go backwards.</summary>
    private sealed class Progress(TorClient owner, IProgress<BootstrapStatus>? inner) : IProgress<BootstrapStatus>
    {
        private readonly object _lock = new();

        public void Report(BootstrapStatus value)
        {
            lock (_lock)
            {
                if (value.Percent < owner._bootstrap.Percent && owner._bootstrap.Phase != BootstrapPhase.Starting)
                    value = value with { Percent = owner._bootstrap.Percent };
                owner._bootstrap = value;
                inner?.Report(value);
                owner.BootstrapProgress?.Invoke(owner, value);
            }
        }
    }
}
