using Burrow.Tor.CircMgr;
using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;
using Burrow.Tor.Tests.Client;
using Microsoft.Extensions.Logging;

namespace Burrow.Tor.Tests.CircMgr;

/// <summary>The pool's adaptive build timeouts: capped by the configured timeout, persisted in state_dir, reloaded.</summary>
public sealed class CircuitBuildTimeoutsTests : IDisposable
{
    private readonly TempDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public void Learned_timeouts_are_persisted_as_a_histogram_and_reloaded()
    {
        var logger = new ListLogger();
        var cbt = new CircuitBuildTimeouts(_state.FullPath, TimeSpan.FromSeconds(60), logger);
        Assert.Equal((TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60)), cbt.Current);
        var random = new Random(3);
        for (var i = 0; i < 150; i++)
            cbt.OnBuilt(3, TimeSpan.FromMilliseconds(60 + random.Next(120)));
        cbt.OnBuilt(1, TimeSpan.FromSeconds(30)); // one-hop circuits are not recorded
        Assert.Equal(150, cbt.Samples);
        var (usage, close) = cbt.Current;
        Assert.InRange(usage.TotalMilliseconds, 60, 190);
        Assert.Equal(TimeSpan.FromSeconds(60), close);
        Assert.Contains(logger.At(LogLevel.Information), m => m.Contains("Circuit build timeout learned", StringComparison.Ordinal));
        cbt.Save();

        var text = File.ReadAllText(Path.Combine(_state.FullPath, CircuitBuildTimeouts.FileName));
        Assert.Contains("\"Histogram\"", text);
        var again = new CircuitBuildTimeouts(_state.FullPath, TimeSpan.FromSeconds(60));
        Assert.Equal(150, again.Samples);
        Assert.True(again.Estimate!.Learned);
        // Binned to 10 ms on disk: the reloaded timeout is within a bin of the original.
        Assert.InRange(again.Current.Usage.TotalMilliseconds, usage.TotalMilliseconds - 10, usage.TotalMilliseconds + 10);
    }

    [Fact]
    public void The_configured_timeout_caps_what_is_learned_and_cbtdisabled_discards_it()
    {
        var cbt = new CircuitBuildTimeouts(null, TimeSpan.FromMilliseconds(50));
        for (var i = 0; i < 120; i++)
            cbt.OnBuilt(3, TimeSpan.FromMilliseconds(200 + i));
        Assert.Equal(TimeSpan.FromMilliseconds(50), cbt.Current.Usage);
        Assert.Equal(TimeSpan.FromMilliseconds(50), cbt.Current.Close);
        cbt.OnConsensus(new NetParameters(ConsensusParams.Parse("cbtdisabled=1")));
        Assert.Equal(0, cbt.Samples);
        Assert.Null(cbt.Estimate);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"Version\":2,\"Histogram\":[]}")]
    [InlineData("{\"Version\":1,\"Histogram\":[[15,3]]}")]
    public void An_unreadable_file_is_reported_and_learning_starts_again(string content)
    {
        File.WriteAllText(Path.Combine(_state.FullPath, CircuitBuildTimeouts.FileName), content);
        var logger = new ListLogger();
        var cbt = new CircuitBuildTimeouts(_state.FullPath, TimeSpan.FromSeconds(60), logger);
        Assert.Equal(0, cbt.Samples);
        Assert.Contains(logger.At(LogLevel.Warning), m => m.Contains("unreadable", StringComparison.Ordinal));
    }
}
