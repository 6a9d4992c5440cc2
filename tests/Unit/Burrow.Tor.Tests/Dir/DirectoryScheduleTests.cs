using Burrow.Tor.Dir;

namespace Burrow.Tor.Tests.Dir;

/// <summary>The refresh schedule decides without a network: a fake clock (plain DateTimes) checks it.</summary>
public sealed class DirectoryScheduleTests
{
    [Fact]
    public void The_next_refresh_falls_in_the_dir_spec_window_and_failures_back_off_within_half_an_interval()
    {
        var dir = PathSelection.TestDirectories.Private;
        var schedule = new DirectorySchedule(TimeSpan.FromMinutes(10), new Random(3));
        Assert.Null(schedule.NextRefresh);
        schedule.OnInstalled(dir);
        var (from, to) = DirectorySchedule.RefreshWindow(dir);
        Assert.InRange(schedule.NextRefresh!.Value, from, to);

        var now = dir.ValidAfter;
        Assert.Equal(schedule.NextRefresh.Value - now, schedule.DelayBeforeNextAttempt(0, dir, now));
        var halfInterval = (dir.FreshUntil - dir.ValidAfter).TotalSeconds / 2;
        var delays = Enumerable.Range(1, 12).Select(f => schedule.DelayBeforeNextAttempt(f, dir, now).TotalSeconds).ToList();
        Assert.Equal(2, delays[0]);
        Assert.True(delays.SequenceEqual(delays.Order()), "retry delays never shrink");
        Assert.All(delays, d => Assert.True(d <= Math.Max(1, Math.Min(600, halfInterval))));
        Assert.Equal(Math.Min(600, Math.Pow(2, 12)), new DirectorySchedule(TimeSpan.FromMinutes(10), new Random(1)).DelayBeforeNextAttempt(12, null, now).TotalSeconds);
    }
}
