// Guard algorithm parameters: guard-spec A.1 defaults, consensus names from param-spec 11.
using Burrow.Tor.NetDir;

namespace Burrow.Tor.Guards;

internal sealed record GuardParameters
{
    public static GuardParameters Default { get; } = new();

    /// <summary>N_PRIMARY_GUARDS ("guard-n-primary-guards").</summary>
    public int PrimaryGuards { get; init; } = 3;

    /// <summary>NUM_USABLE_PRIMARY_GUARDS ("guard-n-primary-guards-to-use").</summary>
    public int PrimaryGuardsToUse { get; init; } = 1;

    /// <summary>NUM_USABLE_PRIMARY_DIRECTORY_GUARDS ("guard-n-primary-dir-guards-to-use").</summary>
    public int PrimaryDirGuardsToUse { get; init; } = 3;

    /// <summary>MIN_FILTERED_SAMPLE ("guard-min-filtered-sample-size").</summary>
    public int MinFilteredSample { get; init; } = 20;

    /// <summary>MAX_SAMPLE_SIZE ("guard-max-sample-size").</summary>
    public int MaxSampleSize { get; init; } = 60;

    /// <summary>MAX_SAMPLE_THRESHOLD in percent of {GUARDS} ("guard-max-sample-threshold-percent").</summary>
    public int MaxSampleThresholdPercent { get; init; } = 20;

    /// <summary>GUARD_LIFETIME ("guard-lifetime-days").</summary>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromDays(120);

    /// <summary>REMOVE_UNLISTED_GUARDS_AFTER ("guard-remove-unlisted-guards-after-days").</summary>
    public TimeSpan RemoveUnlistedAfter { get; init; } = TimeSpan.FromDays(20);

    /// <summary>GUARD_CONFIRMED_MIN_LIFETIME ("guard-confirmed-min-lifetime-days").</summary>
    public TimeSpan ConfirmedMinLifetime { get; init; } = TimeSpan.FromDays(60);

    /// <summary>INTERNET_LIKELY_DOWN_INTERVAL ("guard-internet-likely-down-interval").</summary>
    public TimeSpan InternetLikelyDownInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The consensus's values where it sets them, clamped to sane bounds.</summary>
    public static GuardParameters FromConsensus(NetParameters p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var primary = p.Get("guard-n-primary-guards", 3, 1, 20);
        return new GuardParameters
        {
            PrimaryGuards = primary,
            PrimaryGuardsToUse = p.Get("guard-n-primary-guards-to-use", 1, 1, primary),
            PrimaryDirGuardsToUse = p.Get("guard-n-primary-dir-guards-to-use", 3, 1, primary),
            MinFilteredSample = p.Get("guard-min-filtered-sample-size", 20, 1, 1000),
            MaxSampleSize = p.Get("guard-max-sample-size", 60, 1, 1000),
            MaxSampleThresholdPercent = p.Get("guard-max-sample-threshold-percent", 20, 1, 100),
            Lifetime = TimeSpan.FromDays(p.Get("guard-lifetime-days", 120, 1, 3650)),
            RemoveUnlistedAfter = TimeSpan.FromDays(p.Get("guard-remove-unlisted-guards-after-days", 20, 1, 365)),
            ConfirmedMinLifetime = TimeSpan.FromDays(p.Get("guard-confirmed-min-lifetime-days", 60, 1, 3650)),
            InternetLikelyDownInterval = TimeSpan.FromSeconds(p.Get("guard-internet-likely-down-interval", 600, 1, int.MaxValue)),
        };
    }

    /// <summary>Proposal 336: base delay and cap of the randomised retry schedule, primary and other guards.</summary>
    public static readonly TimeSpan PrimaryRetryBase = TimeSpan.FromSeconds(30), PrimaryRetryCap = TimeSpan.FromHours(6),
        RetryBase = TimeSpan.FromMinutes(10), RetryCap = TimeSpan.FromHours(36);

    /// <summary>
    /// Proposal 336 (decorrelated jitter, dir-spec 5.5): the delay before an unreachable guard is marked retriable
    /// again, given the previous delay (null on its first failure): MIN(cap, random_between(lower, upper)) with
    /// lower = MAX(1 s, base) and upper = MAX(lower + 1 s, previous * 3). Base 30 s and cap 6 h for primary guards,
    /// 10 min and 36 h for the others.
    /// </summary>
    public static TimeSpan NextRetryDelay(bool primary, TimeSpan? previous, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var (baseDelay, cap) = primary ? (PrimaryRetryBase, PrimaryRetryCap) : (RetryBase, RetryCap);
        var lower = Math.Max(1, baseDelay.TotalSeconds);
        var upper = Math.Max(lower + 1, (previous ?? TimeSpan.Zero).TotalSeconds * 3);
        var delay = lower + random.NextDouble() * (upper - lower);
        return TimeSpan.FromSeconds(Math.Min(cap.TotalSeconds, delay));
    }

    /// <summary>The fixed PRIMARY_GUARDS_RETRY_SCHED / GUARDS_RETRY_SCHED of guard-spec A.1 (superseded by
    /// proposal 336's <see cref="NextRetryDelay"/>, kept for reference and tests).</summary>
    public static TimeSpan RetryInterval(bool primary, TimeSpan failingFor)
    {
        if (failingFor < TimeSpan.FromHours(6))
            return primary ? TimeSpan.FromMinutes(30) : TimeSpan.FromHours(1);
        if (failingFor < TimeSpan.FromHours(6) + TimeSpan.FromDays(3.75))
            return primary ? TimeSpan.FromHours(2) : TimeSpan.FromHours(4);
        if (failingFor < TimeSpan.FromHours(6) + TimeSpan.FromDays(6.75))
            return primary ? TimeSpan.FromHours(4) : TimeSpan.FromHours(18);
        return primary ? TimeSpan.FromHours(9) : TimeSpan.FromHours(36);
    }
}
