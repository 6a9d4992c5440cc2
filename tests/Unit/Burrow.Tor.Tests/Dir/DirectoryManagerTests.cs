using System.Text;
using Burrow.Tests;
using Burrow.Tor.Client;
using Burrow.Tor.Dir;
using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;
using Burrow.Tor.Tests.Client;
using Microsoft.Extensions.Logging;
using static Burrow.Tor.Tests.NetDoc.NetDocTestData;

namespace Burrow.Tor.Tests.Dir;

public sealed class DirectoryManagerTests : IDisposable
{
    private readonly TempDirectory _cache = new();
    private readonly FakeDirectory _net = new();
    private readonly ListLogger _log = new();
    private readonly NetworkDocuments _private = new("private-network", "cached-microdescs");
    private readonly ManualTimeProvider _time;
    private readonly DirectoryServer[] _servers = [FakeDirectory.Server("cacheA", 1), FakeDirectory.Server("cacheB", 2), FakeDirectory.Server("cacheC", 3)];

    public DirectoryManagerTests()
    {
        _time = new ManualTimeProvider(_private.ValidAfter.AddSeconds(3));
        _net.Handler = (_, path) => _private.Serve(path);
    }

    public void Dispose() => _cache.Dispose();

    private DirectoryManager NewManager(IReadOnlyList<DirAuthority>? authorities = null, int seed = 1) =>
        new(new DirectoryManagerOptions { Authorities = authorities ?? PrivateAuthorities(), BootstrapServers = _servers, RequestTimeout = TimeSpan.FromSeconds(5) },
            _net, new DirectoryStore(_cache.FullPath, _log), _time, new Random(seed), _log);

    private sealed class Recorder : IProgress<BootstrapStatus>
    {
        public List<BootstrapStatus> Seen { get; } = [];

        public void Report(BootstrapStatus value)
        {
            lock (Seen)
                Seen.Add(value);
        }
    }

    [Fact]
    public async Task ColdBootstrapFetchesVerifiesAndCaches()
    {
        var m = NewManager();
        NetworkDirectory? announced = null;
        m.DirectoryChanged += d => announced = d;
        var progress = new Recorder();
        var dir = await m.BootstrapAsync(progress, CancellationToken.None);

        Assert.Same(dir, announced);
        Assert.Same(dir, m.Current);
        Assert.Equal(7, dir.Relays.Count);
        Assert.Equal(7, dir.RelaysWithMicrodescriptor);
        Assert.True(dir.Verification.IsAccepted);
        Assert.False(m.UsedCachedConsensus);
        Assert.Equal(1, _net.Count("/tor/status-vote/current/consensus-microdesc/"));
        Assert.Equal(1, _net.Count("/tor/keys/fp/"));
        Assert.Equal(1, _net.Count("/tor/micro/d/"));
        Assert.Equal(3, m.Statistics.TotalRequests);
        // The certificate and microdescriptor requests name exactly what is needed.
        var keys = _net.Requests.Single(r => r.Path.StartsWith("/tor/keys/fp/", StringComparison.Ordinal)).Path;
        Assert.Equal(PrivateAuthorities().Select(a => a.V3Ident).Order(StringComparer.Ordinal), keys["/tor/keys/fp/".Length..].Split('+'));
        var micro = _net.Requests.Single(r => r.Path.StartsWith("/tor/micro/d/", StringComparison.Ordinal)).Path;
        Assert.Equal(7, micro.Split('-').Length);

        // Cache files are in place, under C tor's names.
        Assert.Equal(_private.Consensus, File.ReadAllBytes(_cache.File(DirectoryStore.ConsensusFile)));
        Assert.Equal(3, AuthorityCertificate.ParseAll(File.ReadAllBytes(_cache.File(DirectoryStore.CertificatesFile))).Count);
        Assert.Equal(7, Microdescriptor.ParseAll(File.ReadAllBytes(_cache.File(DirectoryStore.MicrodescriptorsFile))).Count);
        Assert.DoesNotContain(Directory.GetFiles(_cache.FullPath), f => f.EndsWith(".tmp", StringComparison.Ordinal));

        // Progress: phases in order, percentages never going back, ending at the directory being ready.
        var seen = progress.Seen;
        Assert.Equal(BootstrapPhase.Starting, seen[0].Phase);
        Assert.Contains(seen, s => s.Summary == "loading consensus");
        Assert.Contains(seen, s => s.Summary == "loading authority certificates");
        Assert.Contains(seen, s => s.Summary == "loading microdescriptors 100%");
        for (var i = 1; i < seen.Count; i++)
            Assert.True(seen[i].Percent >= seen[i - 1].Percent, $"{seen[i - 1]} then {seen[i]}");
        Assert.Equal(75, seen[^1].Percent);
    }

    [Fact]
    public async Task WarmRestartUsesTheCacheWithoutRequests()
    {
        await NewManager().BootstrapAsync(null, CancellationToken.None);
        var before = _net.Requests.Count;
        _time.Advance(TimeSpan.FromSeconds(10));

        var again = NewManager(seed: 2);
        var dir = await again.BootstrapAsync(null, CancellationToken.None);
        Assert.Equal(before, _net.Requests.Count);
        Assert.Equal(0, again.Statistics.TotalRequests);
        Assert.True(again.UsedCachedConsensus);
        Assert.Equal(7, dir.RelaysWithMicrodescriptor);
        Assert.Empty(_log.At(LogLevel.Warning));
    }

    [Fact]
    public async Task ExpiredCacheIsReplaced()
    {
        await NewManager().BootstrapAsync(null, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(5));
        var again = NewManager();
        // The only consensus there is has expired too: the fetch fails as stale.
        var e = await Assert.ThrowsAsync<DirectoryException>(() => again.BootstrapAsync(null, CancellationToken.None));
        Assert.Equal(DirectoryErrorKind.Exhausted, e.Kind);
        Assert.Contains("expired", e.Message);
        Assert.True(again.Statistics.ConsensusRequests >= 1);
    }

    [Fact]
    public async Task TamperedCachedConsensusIsReportedAndRefetched()
    {
        await NewManager().BootstrapAsync(null, CancellationToken.None);
        var path = _cache.File(DirectoryStore.ConsensusFile);
        // Change one relay's ORPort: the document still parses, its signatures no longer match.
        var text = Encoding.Latin1.GetString(File.ReadAllBytes(path));
        var r = text.IndexOf("\nr ", StringComparison.Ordinal);
        var line = text[(r + 1)..text.IndexOf('\n', r + 1)];
        var parts = line.Split(' ');
        parts[6] = "19999";
        File.WriteAllText(path, text.Replace(line, string.Join(' ', parts)), Encoding.Latin1);

        var again = NewManager();
        var dir = await again.BootstrapAsync(null, CancellationToken.None);
        Assert.False(again.UsedCachedConsensus);
        Assert.Equal(1, again.Statistics.ConsensusRequests);
        Assert.Contains(_log.At(LogLevel.Warning), w => w.Contains("fails verification", StringComparison.Ordinal) && w.Contains("does not verify", StringComparison.Ordinal));
        Assert.DoesNotContain(dir.Relays, x => x.OrPort.Port == 19999);
        // The cache holds the good copy again.
        Assert.Equal(_private.Consensus, File.ReadAllBytes(path));
        // Microdescriptors in the cache were still good: none were fetched again.
        Assert.Equal(0, again.Statistics.MicrodescriptorRequests);
    }

    [Fact]
    public async Task CorruptCachedConsensusIsReportedAndRefetched()
    {
        await NewManager().BootstrapAsync(null, CancellationToken.None);
        File.WriteAllText(_cache.File(DirectoryStore.ConsensusFile), "network-status-version 3 microdesc\nthis is not a consensus\n");
        var again = NewManager();
        await again.BootstrapAsync(null, CancellationToken.None);
        Assert.Equal(1, again.Statistics.ConsensusRequests);
        Assert.Contains(_log.At(LogLevel.Warning), w => w.Contains("is corrupt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TamperedCachedCertificatesAreRefused()
    {
        await NewManager().BootstrapAsync(null, CancellationToken.None);
        var path = _cache.File(DirectoryStore.CertificatesFile);
        var chunks = DocumentSplitter.Certificates(File.ReadAllBytes(path));
        // Swap the publication date inside two certificates: their certifications no longer verify.
        var tampered = chunks.Select((c, i) => i < 2 ? NetworkDocuments.Replace(c.ToArray(), "dir-key-published 20", "dir-key-published 19") : c.ToArray())
            .SelectMany(b => b).ToArray();
        File.WriteAllBytes(path, tampered);

        var again = NewManager();
        var dir = await again.BootstrapAsync(null, CancellationToken.None);
        Assert.True(dir.Verification.IsAccepted);
        Assert.Equal(2, _log.At(LogLevel.Warning).Count(w => w.Contains("fails its own checks", StringComparison.Ordinal)));
        // One good certificate is not a majority of three: the cached consensus failed, and both were fetched again.
        Assert.Contains(_log.At(LogLevel.Warning), w => w.Contains("fails verification", StringComparison.Ordinal));
        Assert.Equal(1, again.Statistics.ConsensusRequests);
        Assert.Equal(1, again.Statistics.CertificateRequests);
        Assert.Equal(3, AuthorityCertificate.ParseAll(File.ReadAllBytes(path)).Count(c => c.IsValid));
    }

    [Fact]
    public async Task TamperedCachedMicrodescriptorIsRefetched()
    {
        await NewManager().BootstrapAsync(null, CancellationToken.None);
        var path = _cache.File(DirectoryStore.MicrodescriptorsFile);
        var text = File.ReadAllBytes(path);
        // Alter an exit's port summary: the entry's digest changes, no relay lists it any more.
        File.WriteAllBytes(path, NetworkDocuments.Replace(text, "p accept 1-65535", "p accept 1-65534"));

        var again = NewManager();
        var dir = await again.BootstrapAsync(null, CancellationToken.None);
        Assert.Equal(0, again.Statistics.ConsensusRequests);
        Assert.Equal(1, again.Statistics.MicrodescriptorRequests);
        Assert.Equal(1, again.Statistics.MicrodescriptorsReceived);
        Assert.Single(_net.Requests.Last().Path["/tor/micro/d/".Length..].Split('-'));
        Assert.Contains(_log.At(LogLevel.Warning), w => w.Contains("not listed by the consensus", StringComparison.Ordinal));
        Assert.Equal(7, dir.RelaysWithMicrodescriptor);
        Assert.All(dir.Relays.Where(r => r.HasFlag(RelayFlags.Exit)), e => Assert.True(e.ExitPolicy.AllowsPort(65535)));
    }

    [Fact]
    public async Task BadServersAreSkipped()
    {
        _net.Down.Add("cacheA");
        var forged = NetworkDocuments.Replace(_private.Consensus, "valid-until ", "valid-until ");
        var text = Encoding.Latin1.GetString(_private.Consensus);
        var badSig = Encoding.Latin1.GetBytes(text.Replace("Bandwidth=", "Bandwidth=9"));
        _net.Handler = (server, path) => server.Name switch
        {
            "cacheB" when path.Contains("consensus", StringComparison.Ordinal) => FakeDirectory.Ok(badSig),
            _ => _private.Serve(path),
        };
        var m = NewManager();
        var dir = await m.BootstrapAsync(null, CancellationToken.None);
        Assert.Equal(7, dir.RelaysWithMicrodescriptor);
        var infos = _log.At(LogLevel.Information).ToList();
        if (_net.Requests.Any(r => r.Server == "cacheB" && r.Path.Contains("consensus", StringComparison.Ordinal)))
            Assert.Contains(infos, i => i.Contains("cacheB", StringComparison.Ordinal) && i.Contains("consensus rejected", StringComparison.Ordinal));
        Assert.True(forged.Length > 0);
    }

    [Fact]
    public async Task AllServersFailingIsOneClearError()
    {
        _net.Down.Add("cacheA");
        _net.Handler = (server, path) => server.Name == "cacheB" ? FakeDirectory.Response("503 Busy", "", []) : FakeDirectory.Ok(Encoding.ASCII.GetBytes("nonsense\n"));
        var m = NewManager();
        var e = await Assert.ThrowsAsync<DirectoryException>(() => m.BootstrapAsync(null, CancellationToken.None));
        Assert.Equal(DirectoryErrorKind.Exhausted, e.Kind);
        Assert.Contains("refused", e.Message);
        Assert.Contains("HTTP 503", e.Message);
        Assert.Contains("does not parse", e.Message);
        Assert.Equal(6, m.Statistics.ConsensusRequests);
    }

    [Fact]
    public async Task ConsensusFromTheFutureNamesTheClock()
    {
        _time.UtcNow = _private.ValidAfter.AddHours(-2);
        var e = await Assert.ThrowsAsync<DirectoryException>(() => NewManager().BootstrapAsync(null, CancellationToken.None));
        Assert.Contains("clock", e.Message);
    }

    [Fact]
    public async Task UnrequestedMicrodescriptorsAreDiscarded()
    {
        // A cache answering every microdescriptor request with everything it has, plus junk.
        var all = _private.Microdescriptors.Values.SelectMany(b => b).ToArray();
        var junk = Encoding.ASCII.GetBytes("onion-key\nntor-onion-key !!!notbase64\n");
        await NewManager().BootstrapAsync(null, CancellationToken.None);
        var path = _cache.File(DirectoryStore.MicrodescriptorsFile);
        var chunks = DocumentSplitter.Microdescriptors(File.ReadAllBytes(path));
        File.WriteAllBytes(path, chunks.Skip(1).SelectMany(c => c.ToArray()).ToArray());
        _net.Handler = (_, p) => p.StartsWith("/tor/micro/d/", StringComparison.Ordinal) ? FakeDirectory.Ok([.. all, .. junk]) : _private.Serve(p);

        var again = NewManager();
        var dir = await again.BootstrapAsync(null, CancellationToken.None);
        Assert.Equal(1, again.Statistics.MicrodescriptorsReceived);
        Assert.Equal(7, dir.RelaysWithMicrodescriptor);
        Assert.Contains(_log.At(LogLevel.Information), i => i.Contains("1 unreadable and 6 unrequested", StringComparison.Ordinal));
        Assert.Equal(7, DocumentSplitter.Microdescriptors(File.ReadAllBytes(path)).Count);
    }

    [Fact]
    public async Task LargeNetworkIsFetchedInBatchesOfAtMost92()
    {
        var docs = new NetworkDocuments("network-2019-12-15-md-complete", "cached-microdescs", "cached-microdescs.new");
        _time.UtcNow = docs.ValidAfter.AddMinutes(10);
        _net.Handler = (_, path) => docs.Serve(path);
        var progress = new Recorder();
        var m = NewManager(Authorities2019To2022);
        var dir = await m.BootstrapAsync(progress, CancellationToken.None);
        Assert.Equal(6345, dir.RelaysWithMicrodescriptor);
        var micro = _net.Requests.Where(r => r.Path.StartsWith("/tor/micro/d/", StringComparison.Ordinal)).ToList();
        Assert.Equal((6345 + 91) / 92, micro.Count);
        Assert.All(micro, r => Assert.InRange(r.Path["/tor/micro/d/".Length..].Split('-').Length, 1, 92));
        // Spread over the caches.
        Assert.Equal(3, micro.Select(r => r.Server).Distinct().Count());
        var mdProgress = progress.Seen.Where(s => s.Phase == BootstrapPhase.LoadingMicrodescriptors).ToList();
        Assert.True(mdProgress.Count > 10);
        Assert.Contains(mdProgress, s => s.Summary is "loading microdescriptors 50%" or "loading microdescriptors 51%" or "loading microdescriptors 52%");
    }

    [Fact]
    public async Task TooFewMicrodescriptorsIsNotEnoughToBuildCircuits()
    {
        // A network whose caches serve no microdescriptors of exits.
        var exitDigests = MicrodescConsensus.Parse(_private.Consensus).Routers.Where(r => r.HasFlag(RelayFlags.Exit)).Select(r => r.MicrodescDigest!.Value.ToBase64Unpadded()).ToHashSet();
        foreach (var d in exitDigests)
            _private.Microdescriptors.Remove(d);
        var e = await Assert.ThrowsAsync<DirectoryException>(() => NewManager().BootstrapAsync(null, CancellationToken.None));
        Assert.Equal(DirectoryErrorKind.NotEnoughDirectoryInfo, e.Kind);
        Assert.Contains("5 of 7 relays", e.Message);
    }

    [Fact]
    public void RefreshWindowFollowsDirSpec51()
    {
        // dir-spec 5.1's example: valid 1:00, fresh until 2:00, expires 4:00 -> between 2:45 and 3:50.
        var dir = PathSelection.TestDirectories.Complete2019;
        Assert.Equal((Utc("2019-12-15 13:00:00"), Utc("2019-12-15 14:00:00"), Utc("2019-12-15 16:00:00")), (dir.ValidAfter, dir.FreshUntil, dir.ValidUntil));
        var (from, to) = DirectoryManager.RefreshWindow(dir);
        Assert.Equal(Utc("2019-12-15 14:45:00"), from);
        Assert.Equal(Utc("2019-12-15 15:50:37.5"), to);
        // The private network: fresh 10 s, valid 30 s.
        var (pf, pt) = DirectoryManager.RefreshWindow(PathSelection.TestDirectories.Private);
        Assert.Equal(_private.ValidAfter.AddSeconds(17.5), pf);
        Assert.Equal(pf.AddSeconds(12.5 * 7 / 8), pt);
    }

    [Fact]
    public async Task NextRefreshIsInTheWindow()
    {
        for (var seed = 0; seed < 5; seed++)
        {
            var m = NewManager(seed: seed);
            var dir = await m.BootstrapAsync(null, CancellationToken.None);
            var (from, to) = DirectoryManager.RefreshWindow(dir);
            Assert.InRange(m.NextRefresh!.Value, from, to);
        }
    }

    [Fact]
    public async Task RefreshRefusesAConsensusThatIsNotNewer()
    {
        var m = NewManager();
        await m.BootstrapAsync(null, CancellationToken.None);
        var e = await Assert.ThrowsAsync<DirectoryException>(() => m.RefreshAsync(CancellationToken.None));
        Assert.Contains("not newer", e.Message);
    }

    [Fact]
    public async Task RefreshInstallsANewerConsensusAndKeepsListedMicrodescriptors()
    {
        var y2019 = new NetworkDocuments("network-2019-12-15-md-complete", "cached-microdescs", "cached-microdescs.new");
        var y2022 = new NetworkDocuments("network-2022-11-19-ns-md");
        _time.UtcNow = y2019.ValidAfter.AddMinutes(10);
        var serving = y2019;
        _net.Handler = (_, path) => serving.Serve(path);
        var m = NewManager(Authorities2019To2022);
        var changes = new List<NetworkDirectory>();
        m.DirectoryChanged += changes.Add;
        var old = await m.BootstrapAsync(null, CancellationToken.None);

        // Years later the caches serve a newer consensus; its microdescriptors are not available.
        serving = y2022;
        _time.UtcNow = y2022.ValidAfter.AddMinutes(10);
        var requestsBefore = m.Statistics.MicrodescriptorRequests;
        var fresh = await m.RefreshAsync(CancellationToken.None);
        Assert.Equal(y2022.ValidAfter, fresh.ValidAfter);
        Assert.Equal([old, fresh], changes);
        // Microdescriptors the 2019 view had and the 2022 consensus still lists carried over.
        var carried = fresh.Relays.Count(r => r.HasMicrodescriptor);
        var stillListed = fresh.Relays.Count(r => old.Relays.Any(o => o.MicrodescDigest == r.MicrodescDigest));
        Assert.Equal(stillListed, carried);
        Assert.True(m.Statistics.MicrodescriptorRequests > requestsBefore);
        Assert.Equal(y2022.Consensus, File.ReadAllBytes(_cache.File(DirectoryStore.ConsensusFile)));
        // The cache now holds only microdescriptors the new consensus lists.
        Assert.Equal(carried, DocumentSplitter.Microdescriptors(File.ReadAllBytes(_cache.File(DirectoryStore.MicrodescriptorsFile))).Count);
    }

    [Fact]
    public async Task RefreshLoopFetchesOnSchedule()
    {
        var m = NewManager();
        await m.BootstrapAsync(null, CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var loop = m.RunRefreshLoopAsync(cts.Token);
        // The loop waits for the refresh time on the client's clock.
        await WaitUntil(() => _time.PendingTimers == 1);
        Assert.Equal(1, m.Statistics.ConsensusRequests);
        _time.UtcNow = m.NextRefresh!.Value;
        // Every cache is asked (6 attempts over 3 caches), none has anything newer.
        await WaitUntil(() => m.Statistics.ConsensusRequests == 7, () => string.Join("\n", _log.Entries));
        // The loop logs and retries two seconds later, without throwing.
        await WaitUntil(() => _time.PendingTimers == 1);
        Assert.Equal(7, m.Statistics.ConsensusRequests);
        _time.Advance(TimeSpan.FromSeconds(2));
        await WaitUntil(() => m.Statistics.ConsensusRequests == 13, () => string.Join("\n", _log.Entries));
        cts.Cancel();
        await loop;
        Assert.Contains(_log.At(LogLevel.Information).Concat(_log.At(LogLevel.Warning)), l => l.Contains("refresh failed", StringComparison.Ordinal));
    }

    private static async Task WaitUntil(Func<bool> condition, Func<string>? describe = null)
    {
        for (var i = 0; i < 400 && !condition(); i++)
            await Task.Delay(25);
        Assert.True(condition(), describe?.Invoke());
    }
}
