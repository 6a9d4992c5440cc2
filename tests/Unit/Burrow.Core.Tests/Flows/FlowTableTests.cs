using System.Net;
using Burrow.Core.Flows;
using Burrow.Core.Upstreams;

namespace Burrow.Core.Tests.Flows;

public class FlowTableTests
{
    private static readonly IPEndPoint Src = IPEndPoint.Parse("10.0.3.5:51544");

    [Fact]
    public void FlowsGetIncreasingIdsAndMoveToRecentWhenEnded()
    {
        var table = new FlowTable("edge", recentCapacity: 10);
        var a = table.Add(Src);
        var b = table.Add(Src);
        Assert.Equal(a.Id + 1, b.Id);
        a.SetDestination(IPEndPoint.Parse("198.51.100.7:443"), "SO_ORIGINAL_DST");
        a.MarkOpen();
        a.AddUp(100);
        a.AddDown(2000);
        table.End(a, FlowEnd.Completed());
        Assert.Equal(1, table.LiveCount);
        var snap = table.Snapshot();
        Assert.Equal(2, snap.Count);
        var ended = snap.Single(f => f.Id == a.Id);
        Assert.Equal(FlowState.Closed, ended.State);
        Assert.Equal(100, ended.BytesUp);
        Assert.Equal(2000, ended.BytesDown);
        Assert.Equal("both sides closed", ended.EndReason);
        Assert.NotNull(ended.End);
        Assert.Equal(FlowState.Connecting, snap.Single(f => f.Id == b.Id).State);
    }

    [Fact]
    public void FirstEndReasonWins()
    {
        var table = new FlowTable("edge");
        var f = table.Add(Src);
        table.End(f, FlowEnd.UpstreamConnectFailed(new UpstreamException(UpstreamErrorKind.Timeout, "no answer")));
        table.End(f, FlowEnd.NetworkStopped());
        var info = Assert.Single(table.Snapshot());
        Assert.Equal(FlowState.Failed, info.State);
        Assert.Equal("upstream Timeout", info.EndReason);
        Assert.Equal(FlowEndKind.UpstreamConnectFailed, info.EndKind);
        Assert.Equal(UpstreamErrorKind.Timeout, info.UpstreamError);
        Assert.Equal("no answer", info.Error);
        Assert.Equal(1, table.TotalEnded);
    }

    [Fact]
    public void RecentListIsBounded()
    {
        var table = new FlowTable("edge", recentCapacity: 5);
        for (var i = 0; i < 50; i++)
            table.End(table.Add(Src), FlowEnd.Completed());
        var snap = table.Snapshot();
        Assert.Equal(5, snap.Count);
        Assert.Equal(Enumerable.Range(46, 5).Select(i => (long)i), snap.Select(f => f.Id));
        Assert.Equal(50, table.TotalStarted);
    }

    [Fact]
    public async Task ConcurrentAddsAndEndsKeepCountsExact()
    {
        var table = new FlowTable("edge", recentCapacity: 100_000);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                var f = table.Add(Src);
                f.AddUp(1);
                table.End(f, FlowEnd.Completed());
            }
        })));
        var snap = table.Snapshot();
        Assert.Equal(8000, snap.Count);
        Assert.Equal(8000, snap.Select(f => f.Id).Distinct().Count());
        Assert.Equal(0, table.LiveCount);
        Assert.All(snap, f => Assert.Equal(1, f.BytesUp));
    }
}
