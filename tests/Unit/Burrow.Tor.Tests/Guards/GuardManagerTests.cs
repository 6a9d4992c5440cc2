using System.Text.Json;
using Burrow.Tests;
using Burrow.Tor.Guards;
using Burrow.Tor.Identities;
using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;
using Burrow.Tor.PathSelection;
using Burrow.Tor.Tests.Client;
using Burrow.Tor.Tests.PathSelection;
using Microsoft.Extensions.Logging;

namespace Burrow.Tor.Tests.Guards;

public sealed class GuardManagerTests : IDisposable
{
    private readonly TempDirectory _state = new();
    private readonly ManualTimeProvider _time = new(TestDirectories.Complete2019.ValidAfter.AddMinutes(20));

    public void Dispose() => _state.Dispose();

    private GuardManager NewManager(NetworkDirectory? dir = null, int seed = 1, ILogger? logger = null, PathRules? rules = null)
    {
        var m = new GuardManager(new GuardStore(_state.FullPath, logger), new PathSelector(rules ?? PathRules.Default, new Random(seed)), _time, new Random(seed), logger);
        m.OnConsensus(dir ?? TestDirectories.Complete2019);
        return m;
    }

    [Fact]
    public void FreshSampleHasMinimumSizeAndThreePrimaries()
    {
        var m = NewManager();
        var sample = m.Snapshot();
        Assert.Equal(20, sample.Count);
        Assert.All(sample, g => Assert.True(PathSelector.IsPossibleGuard(TestDirectories.Complete2019.ByRsaId(RsaIdentity.FromHex(g.Fingerprint))!)));
        Assert.Equal(sample.Count, sample.Select(g => g.Fingerprint).Distinct().Count());
        var primary = m.PrimaryGuards;
        Assert.Equal(3, primary.Count);
        // Primary guards are the first of the sample while nothing is confirmed.
        Assert.Equal(sample.Take(3).Select(g => g.Fingerprint), primary.Select(g => g.Fingerprint));
        Assert.All(sample, g => Assert.False(g.IsConfirmed));
        // added-on dates are randomised up to a tenth of the lifetime into the past.
        Assert.All(sample, g => Assert.InRange(g.AddedOn, _time.UtcNow.AddDays(-12), _time.UtcNow));
    }

    [Fact]
    public void CircuitsUseTheFirstPrimaryDirectoryFetchesSpreadOverThree()
    {
        var m = NewManager();
        var first = m.PrimaryGuards[0].Fingerprint;
        for (var i = 0; i < 20; i++)
        {
            var s = m.SelectGuard(GuardUsage.Circuit)!;
            Assert.True(s.IsPrimary);
            Assert.Equal(first, s.Relay.RsaIdentity.ToHex());
        }
        var dirGuards = Enumerable.Range(0, 60).Select(_ => m.SelectGuard(GuardUsage.Directory)!.Relay.RsaIdentity.ToHex()).ToHashSet();
        Assert.Equal(m.PrimaryGuards.Select(g => g.Fingerprint).ToHashSet(), dirGuards);
    }

    [Fact]
    public void RestrictionSkipsAPrimary()
    {
        var m = NewManager();
        var primary = m.PrimaryGuards;
        var s = m.SelectGuard(GuardUsage.Circuit, r => r.RsaIdentity.ToHex() != primary[0].Fingerprint)!;
        Assert.Equal(primary[1].Fingerprint, s.Relay.RsaIdentity.ToHex());
        Assert.True(s.IsPrimary);
        Assert.Null(m.SelectGuard(GuardUsage.Circuit, _ => false));
    }

    [Fact]
    public void FailuresMoveOnToTheNextPrimaryThenExplore()
    {
        var m = NewManager();
        var primary = m.PrimaryGuards.Select(g => g.Fingerprint).ToList();
        for (var i = 0; i < 3; i++)
        {
            var s = m.SelectGuard(GuardUsage.Circuit)!;
            Assert.Equal(primary[i], s.Relay.RsaIdentity.ToHex());
            m.ReportFailure(s);
        }
        Assert.All(m.PrimaryGuards, g => Assert.Equal(GuardReachability.No, g.Reachable));

        // All primaries down: the next guard in sample order, pending; a second attempt meanwhile takes the one after.
        var sample = m.Snapshot().Select(g => g.Fingerprint).ToList();
        var explore1 = m.SelectGuard(GuardUsage.Circuit)!;
        Assert.False(explore1.IsPrimary);
        Assert.Equal(sample[3], explore1.Relay.RsaIdentity.ToHex());
        var explore2 = m.SelectGuard(GuardUsage.Circuit)!;
        Assert.Equal(sample[4], explore2.Relay.RsaIdentity.ToHex());

        // It works. This is the first success since start ("last time on the internet" is long
        // ago), so the primary guards may only have failed because we were offline: they get
        // another chance and this circuit is not to be used (guard-spec 4.8).
        Assert.False(m.ReportSuccess(explore1));
        var info = m.Snapshot().Single(g => g.Fingerprint == sample[3]);
        Assert.True(info.IsConfirmed);
        Assert.Equal(GuardReachability.Yes, info.Reachable);
        // Confirmed, it leads the primary list, ahead of the unconfirmed primaries (now "maybe").
        Assert.Equal(sample[3], m.PrimaryGuards[0].Fingerprint);
        Assert.Equal([sample[3], primary[0], primary[1]], m.PrimaryGuards.Select(g => g.Fingerprint));
        Assert.All(m.PrimaryGuards.Skip(1), g => Assert.Equal(GuardReachability.Maybe, g.Reachable));
        Assert.Equal(sample[3], m.SelectGuard(GuardUsage.Circuit)!.Relay.RsaIdentity.ToHex());

        // The second explorer succeeds right after: we are online, every other primary is down.
        var p0 = m.SelectGuard(GuardUsage.Circuit, r => r.RsaIdentity.ToHex() != sample[3])!;
        m.ReportFailure(p0);
        var p1 = m.SelectGuard(GuardUsage.Circuit, r => r.RsaIdentity.ToHex() != sample[3])!;
        m.ReportFailure(p1);
        Assert.Equal([primary[0], primary[1]], new[] { p0, p1 }.Select(s => s.Relay.RsaIdentity.ToHex()));
        var sample3 = m.Snapshot().Single(g => g.Fingerprint == sample[3]);
        Assert.Equal(GuardReachability.Yes, sample3.Reachable);
        Assert.False(m.ReportSuccess(explore2)); // sample[3] is a primary guard that works: prefer it
        // ...but it is confirmed now and second in line: when sample[3] fails, it takes over.
        Assert.Equal(sample[4], m.PrimaryGuards[1].Fingerprint);
        m.ReportFailure(m.SelectGuard(GuardUsage.Circuit)!);
        var next = m.SelectGuard(GuardUsage.Circuit)!;
        Assert.True(next.IsPrimary);
        Assert.Equal(sample[4], next.Relay.RsaIdentity.ToHex());
    }

    [Fact]
    public void NonPrimarySuccessIsUsedWhileOnlineAndPrimariesAreDown()
    {
        var m = NewManager();
        // Online a moment ago: a primary guard worked.
        var ok = m.SelectGuard(GuardUsage.Directory)!;
        Assert.True(m.ReportSuccess(ok));
        _time.Advance(TimeSpan.FromMinutes(1));
        // Then every primary guard fails.
        for (var i = 0; i < 10 && m.PrimaryGuards.Any(g => g.Reachable != GuardReachability.No); i++)
            m.ReportFailure(m.SelectGuard(GuardUsage.Circuit)!);
        Assert.All(m.PrimaryGuards, g => Assert.Equal(GuardReachability.No, g.Reachable));
        var explore = m.SelectGuard(GuardUsage.Circuit)!;
        Assert.False(explore.IsPrimary);
        Assert.True(m.ReportSuccess(explore));
    }

    [Fact]
    public void NonPrimarySuccessIsNotUsedWhenAPrimaryCameBack()
    {
        var m = NewManager();
        var failed = new List<GuardSelection>();
        for (var i = 0; i < 3; i++)
        {
            var s = m.SelectGuard(GuardUsage.Circuit)!;
            m.ReportFailure(s);
            failed.Add(s);
        }
        var explore = m.SelectGuard(GuardUsage.Circuit)!;
        // Meanwhile a primary guard's circuit succeeded after all.
        Assert.True(m.ReportSuccess(failed[1]));
        Assert.False(m.ReportSuccess(explore));
    }

    [Fact]
    public void UnreachablePrimaryIsRetriedOnTheRandomisedSchedule()
    {
        var m = NewManager();
        var s = m.SelectGuard(GuardUsage.Circuit)!;
        m.ReportFailure(s);
        Assert.NotEqual(s.Relay.RsaIdentity, m.SelectGuard(GuardUsage.Circuit)!.Relay.RsaIdentity);
        // Proposal 336: the first delay of a primary guard lies between 30 s and 31 s (random_between(30, MAX(31, 0))).
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.NotEqual(s.Relay.RsaIdentity, m.SelectGuard(GuardUsage.Circuit)!.Relay.RsaIdentity);
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(s.Relay.RsaIdentity, m.SelectGuard(GuardUsage.Circuit)!.Relay.RsaIdentity);
    }

    [Fact]
    public void Retry_delays_follow_proposal_336_decorrelated_jitter()
    {
        var random = new Random(9);
        foreach (var primary in new[] { true, false })
        {
            var (b, cap) = primary ? (GuardParameters.PrimaryRetryBase, GuardParameters.PrimaryRetryCap) : (GuardParameters.RetryBase, GuardParameters.RetryCap);
            TimeSpan? previous = null;
            var delays = new List<TimeSpan>();
            for (var i = 0; i < 60; i++)
            {
                var d = GuardParameters.NextRetryDelay(primary, previous, random);
                var upper = TimeSpan.FromSeconds(Math.Max(b.TotalSeconds + 1, (previous ?? TimeSpan.Zero).TotalSeconds * 3));
                Assert.InRange(d, b, upper < cap ? upper : cap);
                delays.Add(d);
                previous = d;
            }
            // It grows to the cap and stays randomised below it.
            Assert.Contains(delays, d => d == cap);
            Assert.True(delays.Distinct().Count() > 10);
        }
    }

    [Theory]
    [InlineData(true, 1, 30)]
    [InlineData(true, 7 * 60, 120)]
    [InlineData(true, 5 * 24 * 60, 240)]
    [InlineData(true, 30 * 24 * 60, 540)]
    [InlineData(false, 1, 60)]
    [InlineData(false, 7 * 60, 240)]
    [InlineData(false, 5 * 24 * 60, 18 * 60)]
    [InlineData(false, 30 * 24 * 60, 36 * 60)]
    public void RetrySchedules(bool primary, int failingMinutes, int expectedMinutes) =>
        Assert.Equal(TimeSpan.FromMinutes(expectedMinutes), GuardParameters.RetryInterval(primary, TimeSpan.FromMinutes(failingMinutes)));

    [Fact]
    public void AllGuardsDownRetriesThePrimaryGuardsNotTheWholeSample()
    {
        var dir = TestDirectories.Private;
        _time.UtcNow = dir.ValidAfter.AddSeconds(5);
        var m = NewManager(dir, rules: TestDirectories.LoopbackRules);
        // The private network has five possible guards; the sample takes all of them.
        Assert.Equal(5, m.Snapshot().Count);
        for (var i = 0; i < 5; i++)
            m.ReportFailure(m.SelectGuard(GuardUsage.Circuit)!);
        Assert.All(m.Snapshot(), g => Assert.Equal(GuardReachability.No, g.Reachable));
        var again = m.SelectGuard(GuardUsage.Circuit);
        Assert.NotNull(again);
        Assert.True(again.IsPrimary);
        // What was learned about the other guards stands.
        Assert.All(m.Snapshot().Where(g => !g.IsPrimary), g => Assert.Equal(GuardReachability.No, g.Reachable));
        Assert.All(m.PrimaryGuards, g => Assert.NotEqual(GuardReachability.No, g.Reachable));
    }

    [Fact]
    public void StateSurvivesARestart()
    {
        var m = NewManager(seed: 3);
        var s = m.SelectGuard(GuardUsage.Circuit)!;
        m.ReportFailure(s);
        var second = m.SelectGuard(GuardUsage.Circuit)!;
        Assert.True(m.ReportSuccess(second));
        var before = m.Snapshot();

        var again = NewManager(seed: 99);
        var after = again.Snapshot();
        Assert.Equal(before.Select(g => (g.Fingerprint, g.IsConfirmed, g.AddedOn, g.ConfirmedOn)), after.Select(g => (g.Fingerprint, g.IsConfirmed, g.AddedOn, g.ConfirmedOn)));
        // The confirmed guard leads the primary list after the restart too.
        Assert.Equal(second.Relay.RsaIdentity.ToHex(), again.PrimaryGuards[0].Fingerprint);
        Assert.Equal(second.Relay.RsaIdentity, again.SelectGuard(GuardUsage.Circuit)!.Relay.RsaIdentity);
        // Written atomically: no temporary files left next to it.
        Assert.Equal([GuardStore.FileName], Directory.GetFiles(_state.FullPath).Select(System.IO.Path.GetFileName));
        using var doc = JsonDocument.Parse(File.ReadAllBytes(_state.File(GuardStore.FileName)));
        Assert.Equal(1, doc.RootElement.GetProperty("version").GetInt32());
        Assert.Equal(before.Count, doc.RootElement.GetProperty("guards").GetArrayLength());
        // One guard failed, so the sample grew by one to keep 20 usable.
        Assert.Equal(21, before.Count);
    }

    [Theory]
    [InlineData("this is not json")]
    [InlineData("{\"version\": 7, \"guards\": []}")]
    [InlineData("{\"version\": 1, \"guards\": [{\"id\": \"XYZ\"}]}")]
    [InlineData("{\"version\": 1}")]
    [InlineData("null")]
    public void CorruptStateIsReportedAndReplaced(string content)
    {
        File.WriteAllText(_state.File(GuardStore.FileName), content);
        var log = new ListLogger();
        var m = NewManager(logger: log);
        Assert.Equal(20, m.Snapshot().Count);
        Assert.Contains(log.At(LogLevel.Warning), w => w.Contains("unreadable", StringComparison.Ordinal));
        Assert.Equal(content, File.ReadAllText(_state.File(GuardStore.FileName + ".corrupt")));
        // A fresh, valid state replaced it.
        Assert.Equal(20, new GuardStore(_state.FullPath).Load().Sampled.Count);
    }

    [Fact]
    public void UnlistedGuardsAreSkippedThenRemoved()
    {
        var full = TestDirectories.Complete2019;
        var m = NewManager();
        var first = m.PrimaryGuards[0].Fingerprint;
        // A consensus without that relay: it is unlisted, no longer primary, not handed out.
        var without = NetworkDirectory.Create(full.Verification, full.Relays.Where(r => r.RsaIdentity.ToHex() != first).Select(r => r.Microdescriptor!));
        Assert.Null(without.ByRsaId(RsaIdentity.FromHex(first))?.Microdescriptor);
        var dirWithoutGuardFlag = new FilteredDirectory(full, RsaIdentity.FromHex(first)).Directory;
        m.OnConsensus(dirWithoutGuardFlag);
        var info = m.Snapshot().Single(g => g.Fingerprint == first);
        Assert.False(info.IsListed);
        Assert.DoesNotContain(m.PrimaryGuards, g => g.Fingerprint == first);
        for (var i = 0; i < 10; i++)
            Assert.NotEqual(first, m.SelectGuard(GuardUsage.Directory)!.Relay.RsaIdentity.ToHex());

        // 21 days later (20 days plus the randomised first-unlisted time is at most 4 days back)
        // it is gone. The consensus must be live for removals: move its clock along.
        _time.Advance(TimeSpan.FromDays(21));
        m.OnConsensus(new FilteredDirectory(full, RsaIdentity.FromHex(first), _time.UtcNow).Directory);
        Assert.DoesNotContain(m.Snapshot(), g => g.Fingerprint == first);
    }

    /// <summary>The 2019 view with one relay's Guard flag removed, optionally re-dated to be live at a time
    /// (signatures are then not checked again: the test only needs a directory shape).</summary>
    private sealed class FilteredDirectory
    {
        public FilteredDirectory(NetworkDirectory source, RsaIdentity dropGuard, DateTime? liveAt = null)
        {
            var text = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(Burrow.Tests.TestPaths.Tor("network-2019-12-15-md-complete", "cached-microdesc-consensus")));
            var r = source.ByRsaId(dropGuard)!;
            var marker = $"r {r.Nickname} {Convert.ToBase64String(dropGuard.ToArray()).TrimEnd('=')} ";
            var at = text.IndexOf(marker, StringComparison.Ordinal);
            Assert.True(at >= 0);
            var s = text.IndexOf("\ns ", at, StringComparison.Ordinal) + 1;
            var end = text.IndexOf('\n', s);
            text = text[..s] + text[s..end].Replace(" Guard", "", StringComparison.Ordinal) + text[end..];
            if (liveAt is { } t)
            {
                text = text.Replace("valid-after 2019-12-15 13:00:00", $"valid-after {t.AddMinutes(-10):yyyy-MM-dd HH:mm:ss}")
                    .Replace("fresh-until 2019-12-15 14:00:00", $"fresh-until {t.AddMinutes(50):yyyy-MM-dd HH:mm:ss}")
                    .Replace("valid-until 2019-12-15 16:00:00", $"valid-until {t.AddHours(3):yyyy-MM-dd HH:mm:ss}");
            }
            var consensus = MicrodescConsensus.Parse(text);
            // Signatures no longer match the edited text; accept it by verifying against the
            // original's signers under a check that the test controls.
            var verification = new ConsensusVerification(consensus, consensus.ValidAfter, source.Verification.Authorities,
                source.Verification.ValidSigners, [], []);
            Directory = NetworkDirectory.Create(verification, source.Relays.Select(x => x.Microdescriptor!));
        }

        public NetworkDirectory Directory { get; }
    }
}
