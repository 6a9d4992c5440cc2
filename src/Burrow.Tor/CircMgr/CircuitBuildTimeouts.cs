// Adaptive circuit build timeouts for the pool (path-spec 2.4): learned from this client's own three-hop build
// times, persisted in state_dir as the 10 ms histogram the spec describes, capped by the configured timeout.
using System.Text.Json;
using Burrow.Tor.BuildTimeout;
using Burrow.Tor.NetDir;
using Burrow.Tor.PathSelection;
using Burrow.Tor.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Tor.CircMgr;

/// <summary>
/// What the pool asks: how long a request waits for a circuit being built (the usage timeout) and when a build
/// is abandoned (the close timeout). Before <see cref="CbtParameters.MinCircuits"/> build times are known both are
/// <see cref="Cap"/> (the configured circuit build timeout); after, the Pareto fit's, never above <see cref="Cap"/>.
/// </summary>
internal sealed class CircuitBuildTimeouts
{
    public const string FileName = "circuit-build-times.json";
    private const int FormatVersion = 1;
    private const long MaxFileBytes = 1024 * 1024;
    private const int SaveEvery = 20;

    private readonly CircuitBuildTimes _times = new();
    private readonly string? _path;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private CbtParameters _parameters = CbtParameters.Default;
    private int _unsaved;
    private bool _loggedLearned;

    public CircuitBuildTimeouts(string? stateDir, TimeSpan cap, ILogger? logger = null)
    {
        Cap = cap;
        _logger = logger ?? NullLogger.Instance;
        if (stateDir is null)
            return;
        _path = Path.Combine(stateDir, FileName);
        Load();
    }

    /// <summary>The configured circuit build timeout: no learned timeout goes above it.</summary>
    public TimeSpan Cap { get; }

    public CbtParameters Parameters
    {
        get
        {
            lock (_lock)
                return _parameters;
        }
    }

    public int Samples => _times.Count;

    /// <summary>Takes the consensus's cbt* parameters; cbtdisabled discards the history (path-spec 2.4.6).</summary>
    public void OnConsensus(NetParameters p)
    {
        var parameters = CbtParameters.FromConsensus(p);
        lock (_lock)
            _parameters = parameters;
        if (parameters.Disabled && _times.Count > 0)
        {
            _times.Clear();
            _logger.LogInformation("Circuit build timeout learning is disabled by the consensus (cbtdisabled=1).");
        }
    }

    /// <summary>The estimate now; null while learning is disabled.</summary>
    public CbtEstimate? Estimate => _times.Estimate(Parameters);

    /// <summary>(usage, close) timeouts for the next build.</summary>
    public (TimeSpan Usage, TimeSpan Close) Current
    {
        get
        {
            if (Estimate is not { Learned: true } e)
                return (Cap, Cap);
            var close = Min(TimeSpan.FromMilliseconds(e.CloseMs), Cap);
            return (Min(TimeSpan.FromMilliseconds(e.TimeoutMs), close), close);
        }
    }

    /// <summary>A circuit of <paramref name="hops"/> hops completed after <paramref name="elapsed"/>; only three-hop
    /// circuits are recorded (path-spec 2.4.2).</summary>
    public void OnBuilt(int hops, TimeSpan elapsed)
    {
        var p = Parameters;
        if (hops != 3 || p.Disabled)
            return;
        _times.AddBuildTime((int)Math.Clamp(elapsed.TotalMilliseconds, 1, int.MaxValue), p);
        if (!_loggedLearned && _times.Estimate(p) is { Learned: true } e)
        {
            _loggedLearned = true;
            CircMgrLog.BuildTimeoutLearned(_logger, e.TimeoutMs, e.CloseMs, e.Samples, e.Xm ?? 0, e.Alpha ?? 0);
        }
        if (Interlocked.Increment(ref _unsaved) >= SaveEvery)
            Save();
    }

    /// <summary>A build that completed at least one hop passed the usage timeout (path-spec 2.4.5).</summary>
    public void OnTimedOut()
    {
        var p = Parameters;
        if (p.Disabled)
            return;
        if (_times.AddTimeout(p))
        {
            _loggedLearned = false;
            CircMgrLog.BuildTimesReset(_logger, p.MaxTimeouts, p.RecentCount);
            Save();
        }
    }

    /// <summary>Writes the histogram now. Failures are logged, not thrown.</summary>
    public void Save()
    {
        Interlocked.Exchange(ref _unsaved, 0);
        if (_path is null)
            return;
        var file = new BuildTimesFile { Version = FormatVersion, Histogram = _times.Histogram().Select(b => (int[]?)[b.BinMs, b.Count]).ToList() };
        try
        {
            AtomicFile.Write(_path, JsonSerializer.SerializeToUtf8Bytes(file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Could not save circuit build times to {Path}: {Reason}", _path, e.Message);
        }
    }

    private void Load()
    {
        if (_path is null || !File.Exists(_path))
            return;
        try
        {
            if (new FileInfo(_path).Length > MaxFileBytes)
                throw new InvalidDataException($"the file is larger than {MaxFileBytes} bytes");
            var file = JsonSerializer.Deserialize<BuildTimesFile>(File.ReadAllBytes(_path))
                ?? throw new InvalidDataException("the file holds 'null'");
            if (file.Version != FormatVersion)
                throw new InvalidDataException($"format version {file.Version} is not supported (this client writes {FormatVersion})");
            var times = new List<int>();
            foreach (var bin in file.Histogram ?? [])
            {
                if (bin is not { Length: 2 } || bin[0] < 0 || bin[1] < 0 || bin[0] % CircuitBuildTimes.BinMs != 0)
                    throw new InvalidDataException("each histogram entry must be [bin start in ms (a multiple of 10), count]");
                for (var i = 0; i < bin[1] && times.Count < CircuitBuildTimes.Capacity; i++)
                    times.Add(bin[0] + CircuitBuildTimes.BinMs / 2);
            }
            // path-spec 2.4.2: shuffled after reading, so old values still expire in a fair order.
            var random = CryptoRandom.Instance;
            for (var i = times.Count - 1; i > 0; i--)
            {
                var j = random.Next(i + 1);
                (times[i], times[j]) = (times[j], times[i]);
            }
            _times.Load(times);
            _logger.LogDebug("Loaded {Count} circuit build times from {Path}.", times.Count, _path);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Circuit build times in {Path} are unreadable ({Reason}); learning again from scratch.", _path, e.Message);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private sealed class BuildTimesFile
    {
        public int Version { get; set; }

        public List<int[]?>? Histogram { get; set; }
    }
}
