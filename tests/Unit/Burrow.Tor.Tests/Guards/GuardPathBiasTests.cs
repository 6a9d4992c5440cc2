using Burrow.Tests;
using Burrow.Tor.Guards;
using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;
using Burrow.Tor.PathBias;
using Burrow.Tor.PathSelection;
using Burrow.Tor.Tests.Client;
using Burrow.Tor.Tests.PathSelection;
using Microsoft.Extensions.Logging;

namespace Burrow.Tor.Tests.Guards;

/// <summary>Path bias per guard (path-spec 7) on recorded histories: warned, disabled with pb_dropguards, persisted.</summary>
public sealed class GuardPathBiasTests : IDisposable
{
    private readonly TempDirectory _state = new();
    private readonly ManualTimeProvider _time = new(TestDirectories.Complete2019.ValidAfter.AddMinutes(20));

    public void Dispose() => _state.Dispose();

    /// <summary>The 2019 view with extra consensus parameters (signatures not checked again: only the shape matters).</summary>
    private static NetworkDirectory WithParams(string extra)
    {
        var source = TestDirectories.Complete2019;
        var text = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(TestPaths.Tor("network-2019-12-15-md-complete", "cached-microdesc-consensus")));
        text = text.Replace("\nparams ", "\nparams " + extra + " ", StringComparison.Ordinal);
        var consensus = MicrodescConsensus.Parse(System.Text.Encoding.Latin1.GetBytes(text));
        var verification = new ConsensusVerification(consensus, consensus.ValidAfter, source.Verification.Authorities, source.Verification.ValidSigners, [], []);
        return NetworkDirectory.Create(verification, source.Relays.Where(r => r.Microdescriptor != null).Select(r => r.Microdescriptor!));
    }

    private GuardManager NewManager(NetworkDirectory dir, ILogger? logger = null)
    {
        var m = new GuardManager(new GuardStore(_state.FullPath, logger), new PathSelector(PathRules.Default, new Random(1)), _time, new Random(1), logger);
        m.OnConsensus(dir);
        return m;
    }

    /// <summary>A guard that lets circuits through its first hop and then kills nine in ten.</summary>
    private static void Replay(GuardManager m, GuardSelection s, int circuits, int succeedEvery)
    {
        for (var i = 1; i <= circuits; i++)
        {
            m.ReportPathBiasAttempt(s);
            if (i % succeedEvery == 0)
                m.ReportPathBiasSuccess(s);
        }
    }

    [Fact]
    public void A_guard_that_discards_circuits_after_the_first_hop_is_warned_about_and_with_pb_dropguards_disabled()
    {
        var logger = new ListLogger();
        var m = NewManager(WithParams("pb_dropguards=1 pb_mincircs=20"), logger);
        Assert.True(m.PathBiasParameters.DropGuards);
        var bad = m.SelectGuard(GuardUsage.Circuit)!;
        Assert.True(bad.IsPrimary);
        var badId = bad.Relay.RsaIdentity.ToHex();

        Replay(m, bad, 19, succeedEvery: 10);
        Assert.Equal(PathBiasLevel.Unknown, m.Snapshot().Single(g => g.Fingerprint == badId).PathBias);
        Replay(m, bad, 11, succeedEvery: 10);

        var info = m.Snapshot().Single(g => g.Fingerprint == badId);
        Assert.Equal(PathBiasLevel.Extreme, info.PathBias);
        Assert.True(info.PathBiasDisabled);
        Assert.False(info.IsPrimary);
        Assert.Equal(30, info.CircuitAttempts);
        Assert.Equal(2.0 / 30, info.CircuitSuccessRate!.Value, 3);
        Assert.Contains(logger.At(LogLevel.Warning), w => w.Contains("extreme share", StringComparison.Ordinal) && w.Contains(bad.Relay.Nickname, StringComparison.Ordinal));
        Assert.Contains(logger.At(LogLevel.Warning), w => w.Contains("disabled", StringComparison.Ordinal));
        for (var i = 0; i < 50; i++)
            Assert.NotEqual(badId, m.SelectGuard(GuardUsage.Circuit)!.Relay.RsaIdentity.ToHex());
        Assert.Equal(3, m.PrimaryGuards.Count);

        // Persisted with the guard state: a restarted client keeps avoiding it and keeps its counts.
        m.Flush();
        var again = NewManager(WithParams("pb_dropguards=1 pb_mincircs=20"));
        var reloaded = again.Snapshot().Single(g => g.Fingerprint == badId);
        Assert.True(reloaded.PathBiasDisabled);
        Assert.Equal(30, reloaded.CircuitAttempts);
        Assert.DoesNotContain(again.PrimaryGuards, g => g.Fingerprint == badId);
    }

    [Fact]
    public void Without_pb_dropguards_the_guard_is_only_warned_about()
    {
        var logger = new ListLogger();
        var m = NewManager(WithParams("pb_mincircs=20"), logger);
        var bad = m.SelectGuard(GuardUsage.Circuit)!;
        Replay(m, bad, 40, succeedEvery: 10);
        var info = m.Snapshot().Single(g => g.Fingerprint == bad.Relay.RsaIdentity.ToHex());
        Assert.Equal(PathBiasLevel.Extreme, info.PathBias);
        Assert.False(info.PathBiasDisabled);
        Assert.Single(logger.At(LogLevel.Warning), w => w.Contains("stays in use", StringComparison.Ordinal));
        Assert.Equal(bad.Relay.RsaIdentity, m.SelectGuard(GuardUsage.Circuit)!.Relay.RsaIdentity);
    }

    [Fact]
    public void A_healthy_guard_is_not_flagged_and_a_use_history_counts_too()
    {
        var m = NewManager(WithParams("pb_dropguards=1 pb_mincircs=20 pb_minuse=5"));
        var good = m.SelectGuard(GuardUsage.Circuit)!;
        Replay(m, good, 100, succeedEvery: 1);
        for (var i = 0; i < 10; i++)
            m.ReportPathBiasUse(good, succeeded: true);
        var info = m.Snapshot().Single(g => g.Fingerprint == good.Relay.RsaIdentity.ToHex());
        Assert.Equal(PathBiasLevel.Ok, info.PathBias);
        Assert.Equal(1.0, info.UseSuccessRate);
        // Streams that never get an answer make the use rate extreme.
        for (var i = 0; i < 20; i++)
            m.ReportPathBiasUse(good, succeeded: false);
        info = m.Snapshot().Single(g => g.Fingerprint == good.Relay.RsaIdentity.ToHex());
        Assert.Equal(PathBiasLevel.Extreme, info.PathBias);
        Assert.True(info.PathBiasDisabled);
    }
}
