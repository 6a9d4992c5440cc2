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
}
