// Clock skew from the relays' NETINFO TIME (tor-spec 4.5: "Implementations MAY use the timestamp value
// to help decide if their clocks are skewed ... SHOULD NOT trust these values unconditionally").
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Burrow.Tor.Channels;

/// <summary>
/// The relays' clocks against ours, from the last <see cref="MaxSamples"/> channels that reported a time.
/// The median decides, so one relay that lies cannot raise or hide a warning alone, and at least
/// <see cref="MinSamplesForWarning"/> relays must have reported. A skew past
/// <see cref="WarningThreshold"/> is logged (at most once per <see cref="WarningInterval"/>) and
/// reported as <see cref="Warning"/>.
/// </summary>
internal sealed class ClockSkewMonitor
{
    public const int MaxSamples = 16;

    /// <summary>No warning on fewer relays' word than this: one relay's clock is not evidence about ours.</summary>
    public const int MinSamplesForWarning = 3;

    /// <summary>How often the warning may be logged while the skew lasts.</summary>
    public static readonly TimeSpan WarningInterval = TimeSpan.FromHours(1);

    private readonly object _lock = new();
    private readonly Queue<TimeSpan> _samples = new();
    private readonly ILogger _logger;
    private readonly Func<DateTimeOffset> _clock;
    private DateTimeOffset? _lastWarned;

    public ClockSkewMonitor(ILogger logger, Func<DateTimeOffset> clock, TimeSpan? warningThreshold = null)
    {
        _logger = logger;
        _clock = clock;
        WarningThreshold = warningThreshold ?? TimeSpan.FromMinutes(5);
    }

    /// <summary>The directory's own clock-skew allowance (a consensus may start this far in the future) by default.</summary>
    public TimeSpan WarningThreshold { get; }

    public int SampleCount
    {
        get
        {
            lock (_lock)
                return _samples.Count;
        }
    }

    /// <summary>The median of the recent relays' clocks minus ours; null before any relay reported a time.
    /// Positive: our clock is behind.</summary>
    public TimeSpan? Median
    {
        get
        {
            lock (_lock)
                return MedianLocked();
        }
    }

    /// <summary>A sentence for the status surface when the median skew passes the threshold, else null.</summary>
    public string? Warning
    {
        get
        {
            int count;
            TimeSpan? median;
            lock (_lock)
            {
                count = _samples.Count;
                median = MedianLocked();
            }
            return count >= MinSamplesForWarning && median is { } m && m.Duration() > WarningThreshold ? Sentence(m, count) : null;
        }
    }

    /// <summary>One channel's NETINFO offset (relay clock minus ours).</summary>
    public void Record(ChannelTarget relay, TimeSpan offset)
    {
        TimeSpan median;
        int count;
        bool warn;
        lock (_lock)
        {
            if (_samples.Count >= MaxSamples)
                _samples.Dequeue();
            _samples.Enqueue(offset);
            median = MedianLocked()!.Value;
            count = _samples.Count;
            var now = _clock();
            warn = count >= MinSamplesForWarning && median.Duration() > WarningThreshold && (_lastWarned is not { } last || now - last >= WarningInterval);
            if (warn)
                _lastWarned = now;
        }
        ChannelLog.PeerClock(_logger, relay, offset.TotalSeconds);
        if (warn)
            ChannelLog.ClockSkewed(_logger, Sentence(median, count));
    }

    /// <summary>"3 h 12 min behind", "40 s ahead": our clock relative to the relays'.</summary>
    public static string Describe(TimeSpan relayMinusOurs)
    {
        var d = relayMinusOurs.Duration();
        var amount = d.TotalDays >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{d.TotalDays:0.#} days")
            : d.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)d.TotalHours} h {d.Minutes} min")
            : d.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)d.TotalMinutes} min {d.Seconds} s")
            : string.Create(CultureInfo.InvariantCulture, $"{d.TotalSeconds:0} s");
        return relayMinusOurs >= TimeSpan.Zero ? amount + " behind the relays'" : amount + " ahead of the relays'";
    }

    private static string Sentence(TimeSpan median, int count) =>
        $"This computer's clock is {Describe(median)} (median of {count} relay{(count == 1 ? "" : "s")}' NETINFO times). " +
        "Tor needs a correct clock: certificates and consensuses may be refused as expired or not yet valid. Set the system clock right (NTP).";

    private TimeSpan? MedianLocked()
    {
        if (_samples.Count == 0)
            return null;
        var sorted = _samples.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
