// Exit circuits for streams (path-spec 2.1: preemptive and on-demand circuits; guard-spec 4.6-4.8
// for the first hop's bookkeeping).
using Burrow.Tor.Channels;
using Burrow.Tor.Circuits;
using Burrow.Tor.Guards;
using Burrow.Tor.NetDir;
using Burrow.Tor.PathSelection;
using Microsoft.Extensions.Logging;

namespace Burrow.Tor.CircMgr;

/// <summary>
/// Builds and hands out exit circuits. A request takes an open circuit whose exit allows it and
/// whose isolation key is its own (or that is still clean), waits for a matching circuit being
/// built, or builds one. Circuits take new streams for <see cref="CircuitPoolOptions.MaxCircuitDirtiness"/>
/// after their first, then close once idle. Clean circuits are kept ready for predicted ports.
/// Everything is bounded: open circuits, clean circuits, remembered ports, build attempts.
/// </summary>
internal sealed class CircuitPool : IAsyncDisposable
{
    private static readonly TimeSpan PortMemory = TimeSpan.FromHours(1);
    private static readonly TimeSpan CleanCircuitLifetime = TimeSpan.FromHours(1);
    private const int MaxPredictedPorts = 32;

    private readonly Func<NetworkDirectory?> _directory;
    private readonly PathSelector _selector;
    private readonly GuardManager _guards;
    private readonly CircuitBuilder _builder;
    private readonly CircuitPoolOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private readonly List<PooledCircuit> _circuits = [];
    private readonly List<PendingBuild> _pending = [];
    private readonly Dictionary<int, DateTime> _portsSeen = [];
    private readonly CancellationTokenSource _disposed = new();
    private readonly FailedRelays _failedRelays;
    private readonly CircuitBuildTimeouts _buildTimeouts;

    /// <summary>Marks the error of a build a request stopped waiting for at the learned usage timeout (the build
    /// goes on for measurement): retried without counting against <see cref="CircuitPoolOptions.MaxCircuitBuildAttempts"/>,
    /// up to that many times again.</summary>
    private const string UsageTimeoutKey = "Burrow.CircuitBuildUsageTimeout";
    private long _built;
    private long _failed;

    public CircuitPool(Func<NetworkDirectory?> directory, PathSelector selector, GuardManager guards, CircuitBuilder builder,
        CircuitPoolOptions options, TimeProvider time, ILogger logger, CircuitBuildTimeouts? buildTimeouts = null)
    {
        _buildTimeouts = buildTimeouts ?? new CircuitBuildTimeouts(null, options.CircuitBuildTimeout, logger);
        _directory = directory;
        _selector = selector;
        _guards = guards;
        _builder = builder;
        _options = options;
        _time = time;
        _logger = logger;
        _failedRelays = new FailedRelays(time, options.FailedRelayAvoidance);
    }

    /// <summary>The adaptive build timeouts (path-spec 2.4) the pool uses.</summary>
    internal CircuitBuildTimeouts BuildTimeouts => _buildTimeouts;

    /// <summary>Relays circuits recently failed to reach, avoided in new paths (for tests and status).</summary>
    internal FailedRelays FailedRelays => _failedRelays;

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    /// <summary>A circuit joined the pool (raised outside the lock; handlers must be quick and not throw).</summary>
    public event Action<PooledCircuit>? CircuitBuilt;

    /// <summary>A build failed: the path and the reason (raised outside the lock).</summary>
    public event Action<CircuitPath, string>? CircuitBuildFailed;

    public long CircuitsBuilt => Interlocked.Read(ref _built);

    public long CircuitBuildFailures => Interlocked.Read(ref _failed);

    /// <summary>Takes every open circuit out of use for new streams (new identity); idle ones close now. Returns them.</summary>
    public IReadOnlyList<PooledCircuit> RetireAll()
    {
        lock (_lock)
        {
            var open = _circuits.Where(c => !c.IsClosed && !c.Retired).ToList();
            foreach (var c in open)
                Retire(c);
            return open;
        }
    }

    public (int Open, int Clean, int Pending) Counts
    {
        get
        {
            lock (_lock)
                return (_circuits.Count(c => !c.IsClosed), _circuits.Count(c => !c.IsClosed && c.IsClean), _pending.Count);
        }
    }

    /// <summary>The open circuits (for status and tests).</summary>
    public IReadOnlyList<PooledCircuit> Snapshot()
    {
        lock (_lock)
            return _circuits.Where(c => !c.IsClosed).ToList();
    }

    /// <summary>
    /// A circuit for a stream of <paramref name="isolationKey"/> that <paramref name="requirement"/>
    /// allows, bound to that key. Throws <see cref="CircuitPoolException"/> (NoPath, CircuitFailed).
    /// </summary>
    public async Task<PooledCircuit> AcquireAsync(ExitRequirement requirement, string isolationKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        ArgumentNullException.ThrowIfNull(isolationKey);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        if (requirement.Port is { } port)
            RememberPort(port);
        return await WithCircuitAsync(requirement, now =>
        {
            Prune(now);
            // Reuse a circuit already bound to this key before taking a clean one.
            var circuit = _circuits.FirstOrDefault(c => c.IsolationKey == isolationKey && c.Accepts(isolationKey, now, _options.MaxCircuitDirtiness) && c.Supports(requirement))
                ?? _circuits.FirstOrDefault(c => c.IsClean && c.Accepts(isolationKey, now, _options.MaxCircuitDirtiness) && c.Supports(requirement));
            circuit?.Claim(isolationKey, now);
            return circuit;
        }, doneWhenBuilt: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Builds one clean circuit for the requirement (bootstrap's "building circuits"), retrying failures.</summary>
    public Task EnsureCleanCircuitAsync(ExitRequirement requirement, CancellationToken cancellationToken) =>
        WithCircuitAsync(requirement, _ => _circuits.FirstOrDefault(c => c.IsClean && !c.IsClosed && c.Supports(requirement)),
            doneWhenBuilt: true, cancellationToken);

    /// <summary>
    /// The acquire loop: under the lock, <paramref name="take"/> picks a circuit already there (done);
    /// otherwise wait for a matching build in progress or start one, then look again (another request
    /// may have claimed the new circuit first) or, with <paramref name="doneWhenBuilt"/>, return it.
    /// Up to <see cref="CircuitPoolOptions.MaxCircuitBuildAttempts"/> failed builds; NoPath is final.
    /// A build that could not reach its guard counts apart, up to <see cref="CircuitPoolOptions.MaxGuardFailures"/>:
    /// that guard is marked unreachable and the next build goes through another one (guard-spec), so a few
    /// dead guards (several relays gone at once) do not use up the attempts the rest of the path needs.
    /// </summary>
    private async Task<PooledCircuit> WithCircuitAsync(ExitRequirement requirement, Func<DateTime, PooledCircuit?> take, bool doneWhenBuilt,
        CancellationToken cancellationToken)
    {
        Exception? last = null;
        var failures = 0;
        var guardFailures = 0;
        var usageTimeouts = 0;
        while (failures < _options.MaxCircuitBuildAttempts)
        {
            PendingBuild build;
            lock (_lock)
            {
                if (take(Now) is { } ready)
                    return ready;
                build = _pending.FirstOrDefault(p => p.Supports(requirement)) ?? StartBuild(requirement);
            }
            try
            {
                var built = await build.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (doneWhenBuilt)
                    return built;
            }
            catch (CircuitPoolException e) when (e.Kind is CircuitPoolErrorKind.NoPath or CircuitPoolErrorKind.ConsensusTooOld)
            {
                throw;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                last = e;
                if (build.GuardUnreachable && ++guardFailures <= _options.MaxGuardFailures)
                    continue;
                // A build abandoned at the learned (adaptive) timeout is not a failure of the path: try another.
                if (e.Data.Contains(UsageTimeoutKey) && ++usageTimeouts <= _options.MaxCircuitBuildAttempts)
                    continue;
                failures++;
            }
        }
        throw new CircuitPoolException(CircuitPoolErrorKind.CircuitFailed,
            $"no circuit for {requirement} after {failures + guardFailures} failed builds: {last?.Message}", last);
    }

    /// <summary>Housekeeping: drop closed circuits, close old idle ones, top up clean circuits for predicted ports.</summary>
    public void Maintain()
    {
        // Preemptive circuits too follow the "reasonably live" rule (dir-spec 5.1), not strict liveness.
        if (_disposed.IsCancellationRequested || _directory() is not { } dir || !dir.IsReasonablyLive(Now))
            return;
        lock (_lock)
        {
            var now = Now;
            Prune(now);
            foreach (var port in PredictedPorts(now))
            {
                var requirement = ExitRequirement.ForPort(port, rules: _selector.Rules);
                var ready = _circuits.Count(c => c.IsClean && !c.IsClosed && c.Supports(requirement)) + _pending.Count(p => p.Supports(requirement));
                var clean = _circuits.Count(c => c.IsClean && !c.IsClosed) + _pending.Count;
                if (ready < _options.PreemptiveCircuitsPerPort && clean < _options.MaxCleanCircuits && _pending.Count < 2)
                {
                    try
                    {
                        StartBuild(requirement).Task.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
                    }
                    catch (CircuitPoolException e)
                    {
                        _logger.LogDebug("No preemptive circuit for port {Port}: {Reason}", port, e.Message);
                    }
                }
            }
        }
    }

    /// <summary>Takes a circuit out of use for new streams (a stream on it timed out); it closes once idle.</summary>
    public void Retire(PooledCircuit circuit)
    {
        lock (_lock)
        {
            circuit.Retired = true;
            if (circuit.Circuit.StreamCount == 0)
                circuit.Circuit.Close();
        }
    }

    private IEnumerable<int> PredictedPorts(DateTime now)
    {
        foreach (var (port, at) in _portsSeen.ToList())
        {
            if (now - at > PortMemory)
                _portsSeen.Remove(port);
        }
        return _options.PreemptivePorts.Concat(_portsSeen.Keys).Distinct().ToList();
    }

    private void RememberPort(int port)
    {
        lock (_lock)
        {
            if (_portsSeen.Count >= MaxPredictedPorts && !_portsSeen.ContainsKey(port))
                _portsSeen.Remove(_portsSeen.MinBy(kv => kv.Value).Key);
            _portsSeen[port] = Now;
        }
    }

    /// <summary>Caller holds the lock.</summary>
    private void Prune(DateTime now)
    {
        _circuits.RemoveAll(c => c.IsClosed);
        foreach (var c in _circuits)
        {
            var expired = c.FirstUsedAt is { } first ? now - first >= _options.MaxCircuitDirtiness : now - c.BuiltAt >= CleanCircuitLifetime;
            if ((expired || c.Retired) && c.Circuit.StreamCount == 0)
                c.Circuit.Close();
        }
        _circuits.RemoveAll(c => c.IsClosed);
    }

    /// <summary>Chooses a path now and builds it in the background. Caller holds the lock.</summary>
    private PendingBuild StartBuild(ExitRequirement requirement)
    {
        var dir = _directory() ?? throw new CircuitPoolException(CircuitPoolErrorKind.NotBootstrapped, "no network directory yet");
        if (Dir.ConsensusTimeline.ProblemOf(dir, Now) is { } tooOld)
            throw new CircuitPoolException(CircuitPoolErrorKind.ConsensusTooOld, tooOld);
        if (_circuits.Count + _pending.Count >= _options.MaxCircuits)
        {
            // Make room: an idle circuit nobody can use any more, else the oldest idle clean one.
            var victim = _circuits.Where(c => c.Circuit.StreamCount == 0).OrderBy(c => c.IsClean).ThenBy(c => c.BuiltAt).FirstOrDefault();
            if (victim == null)
                throw new CircuitPoolException(CircuitPoolErrorKind.CircuitFailed, $"all {_options.MaxCircuits} circuits are in use");
            victim.Circuit.Close();
            _circuits.Remove(victim);
        }
        // Proposal 324: when the consensus turns congestion control on, exits that can run it come first.
        if (CongestionControl.CongestionControlParameters.FromConsensus(dir.Params).Enabled)
            requirement = requirement with { CongestionControl = true };
        GuardSelection? guard = null;
        CircuitPath path;
        try
        {
            path = _selector.SelectExitPath(dir, requirement, restriction =>
            {
                guard = _guards.SelectGuard(GuardUsage.Circuit, restriction);
                return guard?.Relay;
            }, r => _failedRelays.IsAvoided(r.RsaIdentity));
        }
        catch (PathSelectionException e)
        {
            if (guard != null)
                _guards.ReportIndeterminate(guard);
            throw new CircuitPoolException(CircuitPoolErrorKind.NoPath, $"no path for {requirement}: {e.Message}", e);
        }
        var pending = new PendingBuild(path);
        _pending.Add(pending);
        _ = RunBuildAsync(pending, guard!);
        return pending;
    }

    private async Task RunBuildAsync(PendingBuild pending, GuardSelection guard)
    {
        try
        {
            if (await BuildAsync(pending, guard).ConfigureAwait(false) is { } built)
                pending.Result.TrySetResult(built);
            else
                pending.Result.TrySetException(new CircuitException(CircuitErrorKind.Closed, $"measurement circuit through {pending.Path} closed unused"));
        }
        catch (Exception e)
        {
            pending.Result.TrySetException(e);
        }
    }

    /// <summary>path-spec 2.4.4: the request stops waiting at the usage timeout and another circuit is built; this
    /// one goes on until the close timeout so its build time is still learned, and is then closed unused.</summary>
    private void OnUsageTimeout(PendingBuild pending, TimeSpan usage, int hop)
    {
        lock (_lock)
        {
            if (pending.Result.Task.IsCompleted || !_pending.Remove(pending))
                return;
            pending.Measuring = true;
        }
        if (hop >= 1)
            _buildTimeouts.OnTimedOut();
        var error = new CircuitException(CircuitErrorKind.Timeout,
            $"circuit through {pending.Path} not built within the learned circuit build timeout of {usage.TotalMilliseconds:0} ms (path-spec 2.4); building another");
        error.Data[UsageTimeoutKey] = true;
        pending.Result.TrySetException(error);
    }

    /// <summary>Null for a measurement circuit (built past the usage timeout, closed unused).</summary>
    private async Task<PooledCircuit?> BuildAsync(PendingBuild pending, GuardSelection guard)
    {
        await System.Threading.Tasks.Task.Yield();
        var path = pending.Path;
        var started = Now;
        var startedTicks = _time.GetTimestamp();
        var (usage, close) = _buildTimeouts.Current;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        timeout.CancelAfter(close);
        Circuit? circuit = null;
        var hop = -1; // -1: refused before any hop started
        using var usageTimer = usage < close ? _time.CreateTimer(_ => OnUsageTimeout(pending, usage, Volatile.Read(ref hop)), null, usage, System.Threading.Timeout.InfiniteTimeSpan) : null;
        try
        {
            var targets = path.Hops.Select(h => new RelayTarget(h.RsaIdentity, h.Ed25519Identity, h.NtorOnionKey, h.OrPort, h.Protocols)).ToList();
            circuit = await _builder.BuildAsync(targets, timeout.Token, i =>
            {
                hop = i;
                // Path bias (path-spec 7.1): the guard answered and is now asked to extend: an attempt it is judged on.
                if (i == 1)
                    _guards.ReportPathBiasAttempt(guard, PendingThrough(guard));
            }).ConfigureAwait(false);
            usageTimer?.Dispose();
            _buildTimeouts.OnBuilt(path.Hops.Count, _time.GetElapsedTime(startedTicks));
            if (path.Hops.Count > 1)
                _guards.ReportPathBiasSuccess(guard);
            bool measuring;
            lock (_lock)
            {
                measuring = pending.Measuring;
                if (measuring)
                    _pending.Remove(pending);
            }
            if (measuring)
            {
                // A measurement circuit (past the usage timeout): its time is learned, it is not used.
                _guards.ReportSuccess(guard);
                circuit.Close();
                _logger.LogDebug("Measurement circuit through {Path} built in {Ms:0} ms, closed unused.", path, (Now - started).TotalMilliseconds);
                return null;
            }
            if (!_guards.ReportSuccess(guard))
            {
                // A primary guard may be back: this circuit through a lesser guard is not to be used.
                circuit.Close();
                throw new CircuitException(CircuitErrorKind.Closed, $"circuit through non-primary guard {guard.Relay.Nickname} dropped: a primary guard may be usable again");
            }
            var pooled = new PooledCircuit(circuit, path, Now);
            lock (_lock)
            {
                _pending.Remove(pending);
                _circuits.Add(pooled);
            }
            _ = circuit.Completion.ContinueWith(_ => OnPooledCircuitClosed(pooled, guard), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            Interlocked.Increment(ref _built);
            _logger.LogDebug("Built {Circuit} in {Ms:0} ms.", pooled, (Now - started).TotalMilliseconds);
            CircuitBuilt?.Invoke(pooled);
            return pooled;
        }
        catch (Exception e)
        {
            circuit?.Close();
            lock (_lock)
                _pending.Remove(pending);
            Interlocked.Increment(ref _failed);
            // Only a failure to reach or handshake with the first hop is the guard's fault.
            if (hop == 0 && !_disposed.IsCancellationRequested)
            {
                _guards.ReportFailure(guard);
                pending.GuardUnreachable = true;
            }
            else
                _guards.ReportIndeterminate(guard);
            // Extending to hop k failed (a relay refused or could not reach it, or it never answered):
            // that relay is the suspect. Not for a refused path or our own shutdown.
            if (hop >= 1 && hop < path.Hops.Count && !_disposed.IsCancellationRequested && e is CircuitException or OperationCanceledException)
                _failedRelays.Report(path.Hops[hop].RsaIdentity, path.Hops[0].RsaIdentity);
            // A guard path bias has just disabled lied about what it could not reach: drop what it made us avoid.
            if (_guards.IsDisabledByPathBias(guard) && _failedRelays.ForgetReportsVia(guard.Relay.RsaIdentity) is > 0 and var forgotten)
                _logger.LogInformation("Path bias: forgot {Count} relays guard {Guard} had failed to extend to.", forgotten, guard.Relay.Nickname);
            var reason = e is OperationCanceledException ? $"timed out after {close.TotalSeconds:0.#} s" : e.Message;
            _logger.LogInformation("Building a circuit through {Path} failed at hop {Hop}: {Reason}", path, Math.Max(hop, 0) + 1, reason);
            if (!_disposed.IsCancellationRequested)
                CircuitBuildFailed?.Invoke(path, $"failed at hop {Math.Max(hop, 0) + 1}: {reason}");
            if (e is OperationCanceledException && !_disposed.IsCancellationRequested)
                throw new CircuitException(CircuitErrorKind.Timeout, $"circuit through {path} not built within {close.TotalSeconds:0.#} s", e);
            throw;
        }
    }

    /// <summary>Records how a stream attempt on <paramref name="circuit"/> went (path bias use accounting).</summary>
    public static void NoteUse(PooledCircuit circuit, StreamUseOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        circuit.NoteUse(outcome);
    }

    /// <summary>Builds through <paramref name="guard"/>'s relay still in progress (kept out of path bias scaling).</summary>
    private int PendingThrough(GuardSelection guard)
    {
        lock (_lock)
            return _pending.Count(p => p.Path.Hops[0].RsaIdentity == guard.Relay.RsaIdentity);
    }

    /// <summary>
    /// Path bias bookkeeping when a pooled circuit closes (path-spec 7.1, 7.2): closed by the network (DESTROY,
    /// TRUNCATED, channel lost, protocol violation, stalled) before we asked and never used successfully, its
    /// construction success is taken back; if streams were attached, it counts as a use attempt, successful when
    /// the exit answered as expected. Our own shutdown says nothing about the guard.
    /// </summary>
    private void OnPooledCircuitClosed(PooledCircuit pooled, GuardSelection guard)
    {
        if (_disposed.IsCancellationRequested)
            return;
        var closedByUs = pooled.Circuit.CloseReason?.Kind is null or CircuitErrorKind.Closed;
        var usedWell = pooled.UseSucceeded;
        if (!closedByUs && !usedWell)
            _guards.ReportPathBiasCollapsed(guard);
        if (pooled.UseAttempted)
            _guards.ReportPathBiasUse(guard, usedWell);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
            return;
        _disposed.Cancel();
        List<PooledCircuit> circuits;
        List<Task<PooledCircuit>> pending;
        lock (_lock)
        {
            circuits = [.. _circuits];
            pending = _pending.Select(p => p.Task).ToList();
            _circuits.Clear();
        }
        foreach (var c in circuits)
            await c.Circuit.DisposeAsync().ConfigureAwait(false);
        try
        {
            await System.Threading.Tasks.Task.WhenAll(pending).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Builds cancelled by disposal.
        }
        foreach (var t in pending.Where(t => t.IsCompletedSuccessfully))
            await t.Result.Circuit.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class PendingBuild(CircuitPath path)
    {
        public CircuitPath Path { get; } = path;

        /// <summary>What requests wait for: the circuit, or why there is none (also when they stopped waiting at
        /// the usage timeout while the build goes on).</summary>
        public TaskCompletionSource<PooledCircuit> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<PooledCircuit> Task => Result.Task;

        /// <summary>Past the usage timeout: built only to learn its build time, then closed. Under the pool's lock.</summary>
        public bool Measuring { get; set; }

        /// <summary>Set before <see cref="Task"/> faults when the first hop could not be reached or handshaken.</summary>
        public bool GuardUnreachable { get; set; }

        public bool Supports(ExitRequirement requirement) =>
            PathSelector.IsUsableAsExit(Path.Last, requirement) && (!requirement.Stable || Path.Hops.All(h => h.HasFlag(NetDoc.RelayFlags.Stable)));
    }
}
