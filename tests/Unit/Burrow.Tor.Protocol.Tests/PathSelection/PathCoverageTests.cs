using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;
using Burrow.Tor.PathSelection;
using static Burrow.Tor.Tests.NetDoc.NetDocTestData;

namespace Burrow.Tor.Tests.PathSelection;

public class PathCoverageTests
{
    [Fact]
    public void CompleteViewCoversEveryPath()
    {
        Assert.Equal(1.0, PathCoverage.Fraction(TestDirectories.Complete2019), 9);
        Assert.True(PathCoverage.HasEnoughPaths(TestDirectories.Complete2019));
        Assert.True(PathCoverage.HasEnoughPaths(TestDirectories.Private));
    }

    [Fact]
    public void NoMicrodescriptorsNoPaths()
    {
        var empty = NetworkDirectory.Create(TestDirectories.Complete2019.Verification, []);
        Assert.Equal(0, PathCoverage.Fraction(empty));
        Assert.False(PathCoverage.HasEnoughPaths(empty));
    }

    [Fact]
    public void PartialViewIsInBetween()
    {
        var full = TestDirectories.Complete2019;
        // Only every second relay's microdescriptor: roughly a quarter to a half of the paths.
        var half = NetworkDirectory.Create(full.Verification, full.Relays.Where((r, i) => i % 2 == 0).Select(r => r.Microdescriptor!));
        var f = PathCoverage.Fraction(half);
        Assert.InRange(f, 0.05, 0.3);
        Assert.False(PathCoverage.HasEnoughPaths(half));
    }

    [Fact]
    public void TestNetworkWithoutBandwidthsCountsRelays()
    {
        var dir = TestDirectories.Private;
        // Drop the microdescriptor of one of the two exits: half of the exit position is gone.
        var oneExit = dir.Relays.First(r => r.HasFlag(RelayFlags.Exit));
        var less = NetworkDirectory.Create(dir.Verification, dir.Relays.Where(r => r != oneExit).Select(r => r.Microdescriptor!));
        var f = PathCoverage.Fraction(less);
        Assert.InRange(f, 0.2, 0.8);
        _ = Utc("2026-01-01 00:00:00");
    }
}
