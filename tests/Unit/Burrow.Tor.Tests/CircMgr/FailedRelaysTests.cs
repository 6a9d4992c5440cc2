using Burrow.Tests;
using Burrow.Tor.CircMgr;
using Burrow.Tor.Identities;

namespace Burrow.Tor.Tests.CircMgr;

public class FailedRelaysTests
{
    private static RsaIdentity Id(int n)
    {
        var bytes = new byte[20];
        bytes[0] = (byte)n;
        bytes[1] = (byte)(n >> 8);
        return RsaIdentity.FromBytes(bytes);
    }

    [Fact]
    public void A_reported_relay_is_avoided_until_its_time_is_up()
    {
        var time = new ManualTimeProvider();
        var failed = new FailedRelays(time, TimeSpan.FromMinutes(10));
        failed.Report(Id(1));
        Assert.True(failed.IsAvoided(Id(1)));
        Assert.False(failed.IsAvoided(Id(2)));
        time.Advance(TimeSpan.FromMinutes(9));
        Assert.True(failed.IsAvoided(Id(1)));
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.False(failed.IsAvoided(Id(1)));
    }

    [Fact]
    public void It_holds_at_most_its_capacity_dropping_the_oldest()
    {
        var time = new ManualTimeProvider();
        var failed = new FailedRelays(time, TimeSpan.FromMinutes(10), capacity: 8);
        for (var i = 0; i < 100; i++)
        {
            failed.Report(Id(i));
            time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal(8, failed.Count);
        Assert.True(failed.IsAvoided(Id(99)));
        Assert.False(failed.IsAvoided(Id(0)));
    }

    [Fact]
    public void Suspicions_that_came_through_a_guard_found_lying_are_forgotten()
    {
        var failed = new FailedRelays(new ManualTimeProvider(), TimeSpan.FromMinutes(10));
        var liar = Id(100);
        failed.Report(Id(1), liar);
        failed.Report(Id(2), liar);
        failed.Report(Id(3), Id(101));
        failed.Report(Id(4));
        failed.Report(Id(2), Id(102)); // the last report decides whose word it is

        Assert.Equal(1, failed.ForgetReportsVia(liar));
        Assert.False(failed.IsAvoided(Id(1)));
        Assert.True(failed.IsAvoided(Id(2)));
        Assert.True(failed.IsAvoided(Id(3)));
        Assert.True(failed.IsAvoided(Id(4)));
        Assert.Equal(0, failed.ForgetReportsVia(liar));
    }
}
