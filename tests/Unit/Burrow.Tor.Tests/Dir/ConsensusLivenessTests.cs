using Burrow.Tests;
using Burrow.Tor.Channels;
using Burrow.Tor.CircMgr;
using Burrow.Tor.Circuits;
using Burrow.Tor.Dir;
using Burrow.Tor.Guards;
using Burrow.Tor.PathSelection;
using Burrow.Tor.Tests.Client;
using Burrow.Tor.Tests.PathSelection;

namespace Burrow.Tor.Tests.Dir;

/// <summary>dir-spec 1.4 / 5.1 "reasonably live": used up to 24 h past valid-until, then no new circuits.</summary>
public sealed class ConsensusLivenessTests : IDisposable
{
    private readonly TempDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public void Liveness_follows_the_consensus_timeline()
    {
        var dir = TestDirectories.Complete2019;
        Assert.Equal(ConsensusLiveness.None, ConsensusTimeline.LivenessOf(null, dir.ValidAfter));
        Assert.Equal(ConsensusLiveness.NotYetValid, ConsensusTimeline.LivenessOf(dir, dir.ValidAfter.AddSeconds(-1)));
        Assert.Equal(ConsensusLiveness.Live, ConsensusTimeline.LivenessOf(dir, dir.ValidAfter));
        Assert.Equal(ConsensusLiveness.Live, ConsensusTimeline.LivenessOf(dir, dir.ValidUntil));
        Assert.Equal(ConsensusLiveness.ReasonablyLive, ConsensusTimeline.LivenessOf(dir, dir.ValidUntil.AddSeconds(1)));
        Assert.Equal(ConsensusLiveness.ReasonablyLive, ConsensusTimeline.LivenessOf(dir, dir.ValidUntil.AddHours(24)));
        Assert.Equal(ConsensusLiveness.TooOld, ConsensusTimeline.LivenessOf(dir, dir.ValidUntil.AddHours(24).AddSeconds(1)));

        Assert.Null(ConsensusTimeline.ProblemOf(dir, dir.ValidUntil.AddHours(23)));
        var problem = ConsensusTimeline.ProblemOf(dir, dir.ValidUntil.AddHours(30));
        Assert.NotNull(problem);
        Assert.Contains("more than 24 hours ago", problem);
        Assert.Contains("reasonably live", problem);
        Assert.Contains("clock", problem);
        Assert.Contains("3.0 h ago (reasonably live", ConsensusTimeline.Describe(dir, dir.ValidUntil.AddHours(3)));
    }

    [Fact]
    public void A_downloaded_consensus_more_than_24_hours_past_valid_until_is_refused_with_the_reason()
    {
        var state = new DirectoryState(new DirectoryManagerOptions { Authorities = NetDoc.NetDocTestData.PrivateAuthorities(), BootstrapServers = [] });
        var consensus = DirectoryState.ParseConsensus(NetDoc.NetDocTestData.Bytes("private-network", "cached-microdesc-consensus"));
        var error = Assert.Throws<DirectoryException>(() => state.CheckTimeliness(consensus, consensus.ValidUntil.AddHours(25)));
        Assert.Equal(DirectoryErrorKind.Stale, error.Kind);
        Assert.Contains("not reasonably live", error.Message);
        Assert.Contains("clock", Assert.Throws<DirectoryException>(() => state.CheckTimeliness(consensus, consensus.ValidUntil.AddHours(1))).Message);
    }

    [Fact]
    public void No_new_circuit_is_built_from_a_consensus_too_old_to_use_and_the_error_says_why()
    {
        var dir = TestDirectories.Complete2019;
        var time = new ManualTimeProvider(dir.ValidUntil.AddHours(25));
        var selector = new PathSelector(PathRules.Default, new Random(1));
        var guards = new GuardManager(new GuardStore(_state.FullPath), selector, time, new Random(1));
        guards.OnConsensus(dir);
        // Any connection attempt would mean a circuit was started: fail loudly, never touch a network.
        var channels = new ChannelManager(ChannelOptions.Default, null, (_, _) => throw new InvalidOperationException("no channel may be opened"));
        var pool = new CircuitPool(() => dir, selector, guards, new CircuitBuilder(channels), new CircuitPoolOptions(), time,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        var error = Assert.ThrowsAny<CircuitPoolException>(() => pool.AcquireAsync(ExitRequirement.ForPort(443), "", CancellationToken.None).GetAwaiter().GetResult());
        Assert.Equal(CircuitPoolErrorKind.ConsensusTooOld, error.Kind);
        Assert.Contains("reasonably live", error.Message);
        pool.Maintain();
        Assert.Equal((0, 0, 0), pool.Counts);
        Assert.Equal(0, pool.CircuitBuildFailures);
    }
}
