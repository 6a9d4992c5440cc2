namespace Burrow.Tor.Tests;

public class TestDataTests
{
    [Fact]
    public void SharedTorTestDataIsReachable()
    {
        var consensus = Burrow.Tests.TestPaths.Tor("network-2026-06-27-md", "cached-microdesc-consensus");
        Assert.StartsWith("network-status-version 3 microdesc", File.ReadLines(consensus).First());
    }
}
