using Burrow.Tor.Dir;

namespace Burrow.Tor.Tests.Dir;

/// <summary>"No usable consensus" says each distinct failure once (issue 14: six attempts at the same
/// unreachable authorities filled about a kilobyte).</summary>
public sealed class DirectoryFailureSummaryTests
{
    [Fact]
    public void RepeatedFailuresAreCountedNotRepeated()
    {
        var errors = new[]
        {
            "moria (127.0.0.1:9): connection refused", "tor26 (127.0.0.1:10): connection refused",
            "moria (127.0.0.1:9): connection refused", "tor26 (127.0.0.1:10): connection refused",
            "moria (127.0.0.1:9): connection refused", "tor26 (127.0.0.1:10): timed out",
        };
        var text = DirectoryManager.Summarize(errors);
        Assert.Equal("moria (127.0.0.1:9): connection refused (3 times); tor26 (127.0.0.1:10): connection refused (2 times); tor26 (127.0.0.1:10): timed out", text);
    }

    [Fact]
    public void ManyDistinctFailuresAreBounded()
    {
        var errors = Enumerable.Range(1, 10).Select(i => $"cache{i}: refused").ToList();
        var text = DirectoryManager.Summarize(errors);
        Assert.Contains("cache6: refused", text);
        Assert.DoesNotContain("cache7", text);
        Assert.EndsWith("; 4 more", text);
    }
}
