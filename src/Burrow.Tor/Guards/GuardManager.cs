// Entry guard selection and bookkeeping (guard-spec 4.0-4.10), one default state instance.
using Burrow.Tor.Identities;
using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;
using Burrow.Tor.PathBias;
using Burrow.Tor.PathSelection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Tor.Guards;

/// <summary>
/// Keeps {SAMPLED_GUARDS} (persisted through <see cref="GuardStore"/>), derives the filtered,
/// usable and primary lists from the latest consensus, hands out guards for circuits and directory
/// fetches, and learns from the outcomes.
/// <para>Simplifications, kept compact on purpose: there is one state instance (no bridges, no
/// EntryNodes); the filter is "listed" only; a circuit through a non-primary guard does not wait
/// in &lt;waiting_for_better_guard&gt; — <see cref="ReportSuccess"/> instead says whether it may be used
/// now (all primary guards are down) or should be dropped for a circuit through a primary guard
/// that has come back.</para>
/// </summary>
internal sealed class GuardManager
{
    private readonly object _lock = new();
    private readonly GuardStore? _store;
    private readonly PathSelector _selector;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger _logger;
    private readonly string _version;
    private List<SampledGuard> _sampled = [];
    private List<SampledGuard> _confirmed = [];
    private List<SampledGuard> _primary = [];
    private NetworkDirectory? _directory;
    private DateTime _lastTimeOnInternet = DateTime.MinValue;

    public GuardManager(GuardStore? store, PathSelector selector, TimeProvider? time = null, Random? random = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(selector);
        _store = store;
        _selector = selector;
        _time = time ?? TimeProvider.System;
        _random = random ?? CryptoRandom.Instance;
        _logger = logger ?? NullLogger.Instance;
        _version = "Burrow " + (typeof(GuardManager).Assembly.GetName().Version?.ToString(3) ?? "0");
        if (store != null)
        {
            var (sampled, confirmed) = store.Load();
            _sampled = sampled;
            _confirmed = confirmed;
            if (sampled.Count > 0)
                _logger.LogDebug("Loaded {Count} sampled guards ({Confirmed} confirmed) from {Path}.", sampled.Count, confirmed.Count, store.FilePath);
        }
    }

    public GuardParameters Parameters { get; private set; } = GuardParameters.Default;

    /// <summary>The consensus's path bias thresholds (path-spec 7.4).</summary>
    public PathBiasParameters PathBiasParameters { get; private set; } = PathBiasParameters.Default;

    /// <summary>Path bias updates since the state was last written: saved every so often, not on every circuit.</summary>
    private int _pathBiasUnsaved;
    private const int PathBiasSaveEvery = 20;

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    /// <summary>guard-spec 4.10: a new consensus updates listing, expiry, the sample and the primary guards.</summary>
    public void OnConsensus(NetworkDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        lock (_lock)
        {
            _directory = directory;
            Parameters = GuardParameters.FromConsensus(directory.Params);
            PathBiasParameters = PathBiasParameters.FromConsensus(directory.Params);
            var now = Now;
            var changed = false;
            foreach (var g in _sampled)
            {
                var relay = directory.ByRsaId(g.Identity);
                var listed = relay != null && PathSelector.IsPossibleGuard(relay);
                if (relay != null && g.Nickname != relay.Nickname)
                    g.Nickname = relay.Nickname;
                if (listed && !g.IsListed)
                {
                    g.IsListed = true;
                    g.FirstUnlistedAt = null;
                    changed = true;
                }
                else if (!listed && g.IsListed)
                {
                    g.IsListed = false;
                    g.FirstUnlistedAt = RandomPast(now, Parameters.RemoveUnlistedAfter / 5);
                    changed = true;
                }
            }
            if (directory.IsLive(now))
                changed |= RemoveExpired(now);
            changed |= Sample(now);
            UpdatePrimary();
            if (changed)
                Save();
        }
    }

    /// <summary>
    /// guard-spec 4.6: a guard for a new circuit or directory fetch that satisfies
    /// <paramref name="restriction"/> (e.g. may share a circuit with the chosen exit, has a
    /// microdescriptor), or null when no sampled guard qualifies.
    /// </summary>
    public GuardSelection? SelectGuard(GuardUsage usage, Func<Relay, bool>? restriction = null)
    {
        restriction ??= static _ => true;
        lock (_lock)
        {
            if (_directory == null)
                throw new InvalidOperationException("no consensus yet: call OnConsensus first");
            var now = Now;
            ApplyRetrySchedule(now);
            if (Sample(now))
                Save();
            UpdatePrimary();
            var selection = TrySelect(usage, restriction, now);
            if (selection == null && _primary.Any(g => g.Reachable == GuardReachability.No && !g.PathBiasDisabled))
            {
                // Every usable guard is marked down: we may have been offline. Retry the primary guards (guard-spec
                // A.3: they are the ones retried when the network comes back), not the whole sample: resetting every
                // guard would let a brief outage undo what was learned about the rest.
                _logger.LogInformation("All usable guards are marked unreachable; retrying the primary guards.");
                foreach (var g in _primary)
                {
                    if (g.Reachable == GuardReachability.No)
                        g.Reachable = GuardReachability.Maybe;
                }
                selection = TrySelect(usage, restriction, now);
            }
            return selection;
        }
    }

    private GuardSelection? TrySelect(GuardUsage usage, Func<Relay, bool> restriction, DateTime now)
    {
        var n = usage == GuardUsage.Circuit ? Parameters.PrimaryGuardsToUse : Parameters.PrimaryDirGuardsToUse;
        var primaries = new List<(SampledGuard Guard, Relay Relay)>(n);
        foreach (var g in _primary)
        {
            if (g.Reachable != GuardReachability.No && !g.PathBiasDisabled && Resolve(g) is { } r && restriction(r))
            {
                primaries.Add((g, r));
                if (primaries.Count == n)
                    break;
            }
        }
        if (primaries.Count > 0)
        {
            var (g, r) = primaries[_random.Next(primaries.Count)];
            g.LastTriedConnect = now;
            return new GuardSelection(r, isPrimary: true, usage);
        }

        // No primary guard is usable: explore, one pending attempt per guard, confirmed guards first.
        return Explore(_confirmed, usage, restriction, now) ?? Explore(_sampled, usage, restriction, now);
    }

    private GuardSelection? Explore(List<SampledGuard> ordered, GuardUsage usage, Func<Relay, bool> restriction, DateTime now)
    {
        (SampledGuard, Relay)? first = null;
        foreach (var g in ordered)
        {
            if (!g.IsListed || g.PathBiasDisabled || g.Reachable == GuardReachability.No || Resolve(g) is not { } r || !restriction(r))
                continue;
            first ??= (g, r);
            if (!g.IsPending)
            {
                first = (g, r);
                break;
            }
        }
        if (first is not { } chosen)
            return null;
        chosen.Item1.IsPending = true;
        chosen.Item1.LastTriedConnect = now;
        return new GuardSelection(chosen.Item2, isPrimary: false, usage);
    }

    /// <summary>
    /// guard-spec 4.8: the attempt through the guard worked. Returns whether the circuit may be
    /// used now: always for a primary guard; for a non-primary one only while every primary guard
    /// is still believed down.
    /// </summary>
    public bool ReportSuccess(GuardSelection selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        lock (_lock)
        {
            var now = Now;
            var g = Find(selection.Relay.RsaIdentity);
            if (g == null)
                return selection.IsPrimary;
            g.Reachable = GuardReachability.Yes;
            g.FailingSince = null;
            g.RetryDelay = null;
            g.RetryAt = null;
            g.IsPending = false;
            var save = false;
            if (g.ConfirmedOn == null)
            {
                g.ConfirmedOn = RandomPast(now, Parameters.Lifetime / 10);
                _confirmed.Add(g);
                save = true;
                _logger.LogInformation("Confirmed guard {Guard}.", g);
            }
            var usable = selection.IsPrimary;
            if (!usable)
            {
                if (now - _lastTimeOnInternet > Parameters.InternetLikelyDownInterval)
                {
                    // We were probably offline when the primary guards failed: give them another chance.
                    foreach (var p in _primary)
                    {
                        if (p.Reachable == GuardReachability.No)
                            p.Reachable = GuardReachability.Maybe;
                    }
                }
                usable = _primary.All(p => p.Reachable == GuardReachability.No || !p.IsListed);
            }
            _lastTimeOnInternet = now;
            UpdatePrimary();
            if (save)
                Save();
            return usable;
        }
    }

    /// <summary>guard-spec 4.7: connecting through the guard failed in a way that blames the guard.</summary>
    public void ReportFailure(GuardSelection selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        lock (_lock)
        {
            var g = Find(selection.Relay.RsaIdentity);
            if (g == null)
                return;
            var now = Now;
            g.Reachable = GuardReachability.No;
            g.FailingSince ??= now;
            g.IsPending = false;
            g.RetryDelay = GuardParameters.NextRetryDelay(_primary.Contains(g), g.RetryDelay, _random);
            g.RetryAt = now + g.RetryDelay;
            _logger.LogInformation("Guard {Guard} failed; marked unreachable.", g);
        }
    }

    /// <summary>The attempt failed for a reason that says nothing about the guard (a later hop, a timeout further out).</summary>
    public void ReportIndeterminate(GuardSelection selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        lock (_lock)
        {
            if (Find(selection.Relay.RsaIdentity) is { } g)
                g.IsPending = false;
        }
    }

    // ================================================================ path bias (path-spec 7)

    /// <summary>A circuit through the guard got past it: its first hop answered and the circuit asked it to
    /// extend (path-spec 7.1). <paramref name="openCircuits"/>: circuits through it still being built.</summary>
    public void ReportPathBiasAttempt(GuardSelection selection, int openCircuits = 0) =>
        UpdatePathBias(selection, (g, p) => g.PathBias.NoteCircuitAttempt(p, openCircuits));

    /// <summary>Whether path bias disabled the guard of <paramref name="selection"/>.</summary>
    public bool IsDisabledByPathBias(GuardSelection selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        lock (_lock)
            return Find(selection.Relay.RsaIdentity)?.PathBiasDisabled ?? false;
    }

    /// <summary>A circuit through the guard completed.</summary>
    public void ReportPathBiasSuccess(GuardSelection selection) =>
        UpdatePathBias(selection, static (g, _) => g.PathBias.NoteCircuitSuccess());

    /// <summary>A completed circuit through the guard was closed by the network before we asked, unused.</summary>
    public void ReportPathBiasCollapsed(GuardSelection selection) =>
        UpdatePathBias(selection, static (g, _) => g.PathBias.NoteCircuitCollapsed());

    /// <summary>A circuit through the guard that streams were attached to has closed (path-spec 7.2).</summary>
    public void ReportPathBiasUse(GuardSelection selection, bool succeeded) =>
        UpdatePathBias(selection, (g, p) => g.PathBias.NoteUse(p, succeeded));

    private void UpdatePathBias(GuardSelection selection, Action<SampledGuard, PathBiasParameters> update)
    {
        ArgumentNullException.ThrowIfNull(selection);
        lock (_lock)
        {
            if (Find(selection.Relay.RsaIdentity) is not { } g)
                return;
            var p = PathBiasParameters;
            update(g, p);
            var level = g.PathBias.Evaluate(p);
            var save = ++_pathBiasUnsaved >= PathBiasSaveEvery;
            if (level != g.PathBiasLevel)
            {
                LogPathBias(g, level, p);
                g.PathBiasLevel = level;
                save = true;
            }
            if (!g.PathBiasDisabled && g.PathBias.ShouldDisable(p))
            {
                g.PathBiasDisabled = true;
                GuardLog.PathBiasDisabled(_logger, g.ToString(), g.PathBias.ToString());
                UpdatePrimary();
                save = true;
            }
            if (save)
            {
                _pathBiasUnsaved = 0;
                Save();
            }
        }
    }

    private void LogPathBias(SampledGuard g, PathBiasLevel level, PathBiasParameters p)
    {
        var counts = g.PathBias.ToString();
        switch (level)
        {
            case PathBiasLevel.Notice:
                GuardLog.PathBiasNotice(_logger, g.ToString(), counts, p.NoticePercent, p.NoticeUsePercent);
                break;
            case PathBiasLevel.Warn:
                GuardLog.PathBiasWarn(_logger, g.ToString(), counts, p.WarnPercent);
                break;
            case PathBiasLevel.Extreme:
                GuardLog.PathBiasExtreme(_logger, g.ToString(), counts, p.ExtremePercent, p.ExtremeUsePercent,
                    p.DropGuards ? "it is disabled (pb_dropguards=1)" : "it stays in use because the consensus does not set pb_dropguards=1");
                break;
            default:
                if (g.PathBiasLevel > PathBiasLevel.Ok)
                    GuardLog.PathBiasRecovered(_logger, g.ToString(), counts);
                break;
        }
    }

    /// <summary>The sampled guards in sample order.</summary>
    public IReadOnlyList<GuardInfo> Snapshot()
    {
        lock (_lock)
        {
            return _sampled.Select(g => new GuardInfo(g.Nickname, g.Identity.ToHex(), g.IsListed, g.ConfirmedOn != null,
                _primary.Contains(g), g.Reachable, g.AddedOn, g.ConfirmedOn)
            {
                Identity = g.Identity,
                PathBias = g.PathBias.Evaluate(PathBiasParameters),
                PathBiasDisabled = g.PathBiasDisabled,
                CircuitAttempts = g.PathBias.CircuitAttempts,
                CircuitSuccessRate = g.PathBias.CircuitSuccessRate,
                UseSuccessRate = g.PathBias.UseSuccessRate,
            }).ToList();
        }
    }

    /// <summary>The primary guards in order.</summary>
    public IReadOnlyList<GuardInfo> PrimaryGuards => Snapshot().Where(g => g.IsPrimary)
        .OrderBy(g => _primary.FindIndex(p => p.Identity == g.Identity)).ToList();

    /// <summary>Writes the state now (also done after every change).</summary>
    public void Flush()
    {
        lock (_lock)
            Save();
    }

    private SampledGuard? Find(RsaIdentity id) => _sampled.Find(g => g.Identity == id);

    private Relay? Resolve(SampledGuard g) => g.IsListed ? _directory?.ByRsaId(g.Identity) : null;

    private void ApplyRetrySchedule(DateTime now)
    {
        foreach (var g in _sampled)
        {
            if (g.Reachable != GuardReachability.No)
                continue;
            // Proposal 336: a randomised, growing delay per guard (set when it failed).
            if (g.RetryAt is not { } at || now >= at)
                g.Reachable = GuardReachability.Maybe;
        }
    }

    /// <summary>guard-spec 4.1 expiry: unlisted too long, or sampled too long ago and not recently confirmed.</summary>
    private bool RemoveExpired(DateTime now)
    {
        var removed = _sampled.RemoveAll(g =>
        {
            var unlistedTooLong = !g.IsListed && g.FirstUnlistedAt is { } u && now - u > Parameters.RemoveUnlistedAfter;
            var tooOld = now - g.AddedOn > Parameters.Lifetime
                && (g.ConfirmedOn is not { } c || now - c > Parameters.ConfirmedMinLifetime);
            if (unlistedTooLong || tooOld)
                _logger.LogInformation("Removing guard {Guard} from the sample ({Why}).", g, unlistedTooLong ? "unlisted too long" : "lifetime over");
            return unlistedTooLong || tooOld;
        });
        if (removed > 0)
        {
            _confirmed.RemoveAll(g => !_sampled.Contains(g));
            _primary.RemoveAll(g => !_sampled.Contains(g));
        }
        return removed > 0;
    }

    /// <summary>guard-spec 4.2: grow the sample until enough guards are usable or the sample is full.</summary>
    private bool Sample(DateTime now)
    {
        if (_directory == null)
            return false;
        var guardCount = _directory.Relays.Count(PathSelector.IsPossibleGuard);
        var max = Math.Min(Parameters.MaxSampleSize, (int)Math.Ceiling(guardCount * Parameters.MaxSampleThresholdPercent / 100.0));
        max = Math.Max(max, Parameters.MinFilteredSample);
        var sampledIds = _sampled.Select(g => g.Identity).ToHashSet();
        var added = false;
        while (_sampled.Count < max && _sampled.Count(g => g.IsListed && !g.PathBiasDisabled && g.Reachable != GuardReachability.No) < Parameters.MinFilteredSample)
        {
            var relay = _selector.ChooseGuardCandidate(_directory, r => !sampledIds.Contains(r.RsaIdentity));
            if (relay == null)
                break;
            sampledIds.Add(relay.RsaIdentity);
            _sampled.Add(new SampledGuard
            {
                Identity = relay.RsaIdentity,
                Nickname = relay.Nickname,
                AddedOn = RandomPast(now, Parameters.Lifetime / 10),
                AddedBy = _version,
                IsListed = true,
            });
            added = true;
        }
        if (added)
            _logger.LogDebug("Guard sample now holds {Count} guards.", _sampled.Count);
        return added;
    }

    /// <summary>guard-spec 4.4: confirmed-and-filtered guards first, then earlier primaries, then sample order.</summary>
    private void UpdatePrimary()
    {
        var n = Parameters.PrimaryGuards;
        var next = new List<SampledGuard>(n);
        foreach (var g in _confirmed)
        {
            if (next.Count == n)
                break;
            if (g.IsListed && !g.PathBiasDisabled)
                next.Add(g);
        }
        foreach (var g in _primary)
        {
            if (next.Count == n)
                break;
            if (g.IsListed && !g.PathBiasDisabled && !next.Contains(g))
                next.Add(g);
        }
        foreach (var g in _sampled)
        {
            if (next.Count == n)
                break;
            if (g.IsListed && !g.PathBiasDisabled && !next.Contains(g))
                next.Add(g);
        }
        if (!next.SequenceEqual(_primary))
        {
            _primary = next;
            _logger.LogDebug("Primary guards: {Guards}.", string.Join(", ", next));
        }
    }

    /// <summary>RAND(now, interval) of guard-spec A.2: a uniformly random time up to <paramref name="interval"/> in the past.</summary>
    private DateTime RandomPast(DateTime now, TimeSpan interval) =>
        now - TimeSpan.FromSeconds(_random.NextDouble() * interval.TotalSeconds);

    private void Save() => _store?.Save(_sampled, _confirmed);
}
