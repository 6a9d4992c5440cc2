using System.Net;
using System.Text;
using System.Text.Json;
using Burrow.Tests;
using Burrow.Tor.Client;
using Burrow.Tor.Dir;
using Burrow.Tor.Guards;
using Burrow.Tor.NetDoc;
using Burrow.Tor.Tests.Client;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Burrow.Tor.Tests.Integration;

/// <summary>
/// cache_dir and state_dir that are read-only, full, or corrupted between runs (issue 18, item 3): the client
/// bootstraps and carries traffic (re-fetching what is corrupt), says in a warning which directory failed and
/// why, and leaves no half-written files. Read-only and full are real file systems (a tmpfs in a mount namespace
/// private to the test, see <see cref="PrivateMount"/>): as root, permission bits would not stop a write.
/// </summary>
[Trait("Category", "Integration")]
[Collection(TorClientNetworkCollection.Name)]
public sealed class StateDirectoryFaultTests(TorClientNetworkFixture fx, ITestOutputHelper output)
{
    private static CancellationToken Timeout(int seconds = 120) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private TestNetwork Network => fx.Network;

    private async Task FetchSmallPageAsync(TorClient client)
    {
        await using var connection = await client.ConnectAsync(Network.HttpEndPoint, null, Timeout());
        var page = await HttpOverTor.GetAsync(connection.Stream, $"{Network.Http.Address}:{Network.Http.Port}", "/small", cancellationToken: Timeout());
        Assert.Equal(200, page.Status);
    }

    private static string[] LeftoverTemporaries(string dir) =>
        Directory.Exists(dir) ? Directory.GetFiles(dir, ".*.tmp") : [];

    [Fact]
    public async Task Read_only_cache_and_state_directories_still_bootstrap_and_say_which_directory()
    {
        using var mount = await PrivateMount.StartAsync(1024, readOnly: true, "cache", "state");
        var logs = new ListLoggerFactory();
        await using (var client = new TorClient(TorClientNetworkFixture.Options(Network, mount.Sub("state"), mount.Sub("cache")), logs))
        {
            await client.BootstrapAsync(null, Timeout());
            Assert.True(client.IsReady);
            await FetchSmallPageAsync(client);
        }

        var warnings = logs.Logger.At(LogLevel.Warning).ToList();
        foreach (var w in warnings)
            output.WriteLine(w);
        Assert.Contains(warnings, w => w.Contains($"Cannot write cached {DirectoryStore.ConsensusFile} in {mount.Sub("cache")}", StringComparison.Ordinal)
            && w.Contains("Read-only file system", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains($"Could not save guard state to {Path.Combine(mount.Sub("state"), GuardStore.FileName)}", StringComparison.Ordinal)
            && w.Contains("Read-only file system", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFileSystemEntries(mount.Sub("cache")));
        Assert.Empty(Directory.GetFileSystemEntries(mount.Sub("state")));
    }

    [Fact]
    public async Task A_full_cache_directory_keeps_no_torn_files_and_the_client_runs_on()
    {
        // 4 KiB of tmpfs: the guard state fits, the private network's consensus (about 6 KiB) does not.
        using var mount = await PrivateMount.StartAsync(4, readOnly: false, "cache", "state");
        var logs = new ListLoggerFactory();
        await using (var client = new TorClient(TorClientNetworkFixture.Options(Network, mount.Sub("state"), mount.Sub("cache")), logs))
        {
            await client.BootstrapAsync(null, Timeout());
            Assert.True(client.IsReady);
            await FetchSmallPageAsync(client);
        }

        var warnings = logs.Logger.At(LogLevel.Warning).ToList();
        foreach (var w in warnings)
            output.WriteLine(w);
        Assert.Contains(warnings, w => w.Contains($"in {mount.Sub("cache")}", StringComparison.Ordinal)
            && w.Contains("No space left on device", StringComparison.Ordinal));
        // A write that failed half-way is removed: the reader of the next run sees the old file or none.
        Assert.Empty(LeftoverTemporaries(mount.Sub("cache")));
        Assert.Empty(LeftoverTemporaries(mount.Sub("state")));
        Assert.False(File.Exists(Path.Combine(mount.Sub("cache"), DirectoryStore.ConsensusFile)));

        // The next run on the same full directory starts as well (nothing usable cached, so it fetches again).
        var again = new ListLoggerFactory();
        await using var second = new TorClient(TorClientNetworkFixture.Options(Network, mount.Sub("state"), mount.Sub("cache")), again);
        await second.BootstrapAsync(null, Timeout());
        Assert.True(second.IsReady);
        Assert.False(second.UsedCachedConsensus);
    }

    [Fact]
    public async Task Truncated_and_garbage_cache_and_guard_state_are_refetched_or_replaced()
    {
        using var state = new TempDirectory();
        using var cache = new TempDirectory();
        await using (var first = new TorClient(TorClientNetworkFixture.Options(Network, state.FullPath, cache.FullPath), new ListLoggerFactory()))
            await first.BootstrapAsync(null, Timeout());
        var consensusPath = cache.File(DirectoryStore.ConsensusFile);
        var consensus = File.ReadAllBytes(consensusPath);
        File.WriteAllBytes(consensusPath, consensus[..(consensus.Length / 2)]);
        var garbage = new byte[4096];
        new Random(18).NextBytes(garbage);
        File.WriteAllBytes(cache.File(DirectoryStore.MicrodescriptorsFile), garbage);
        File.WriteAllBytes(cache.File(DirectoryStore.CertificatesFile), Encoding.ASCII.GetBytes("dir-key-certificate-version 3\nfingerprint nothing\n"));
        File.WriteAllText(state.File(GuardStore.FileName), "{\"version\": 1, \"guards\": [{\"id\": \"not hex\"");

        var logs = new ListLoggerFactory();
        await using (var client = new TorClient(TorClientNetworkFixture.Options(Network, state.FullPath, cache.FullPath), logs))
        {
            await client.BootstrapAsync(null, Timeout());
            Assert.True(client.IsReady);
            Assert.False(client.UsedCachedConsensus);
            Assert.Equal(1, client.DirectoryStatistics.ConsensusRequests);
            Assert.True(client.DirectoryStatistics.MicrodescriptorRequests >= 1);
            await FetchSmallPageAsync(client);
        }
        foreach (var w in logs.Logger.At(LogLevel.Warning))
            output.WriteLine(w);

        // The corrupt guard state is kept aside for a human, and a fresh one written.
        Assert.True(File.Exists(state.File(GuardStore.FileName + ".corrupt")));
        using (var doc = JsonDocument.Parse(File.ReadAllBytes(state.File(GuardStore.FileName))))
            Assert.True(doc.RootElement.GetProperty("guards").GetArrayLength() > 0);
        Assert.Contains(logs.Logger.At(LogLevel.Warning), w => w.Contains("Guard state", StringComparison.Ordinal) && w.Contains("unreadable", StringComparison.Ordinal));
        // The consensus was fetched again and stored whole: it parses.
        var stored = MicrodescConsensus.Parse(File.ReadAllBytes(consensusPath));
        Assert.Equal(7, stored.Routers.Count);
    }

    [Fact]
    public async Task Directories_that_are_files_do_not_stop_the_client()
    {
        // state_dir and cache_dir naming regular files: nothing can be stored, the warnings name the paths.
        using var root = new TempDirectory();
        File.WriteAllText(root.File("state"), "not a directory");
        File.WriteAllText(root.File("cache"), "not a directory");
        var logs = new ListLoggerFactory();
        await using var client = new TorClient(TorClientNetworkFixture.Options(Network, root.File("state"), root.File("cache")), logs);
        await client.BootstrapAsync(null, Timeout());
        Assert.True(client.IsReady);
        Assert.Contains(logs.Logger.At(LogLevel.Warning), w => w.Contains(root.File("cache"), StringComparison.Ordinal));
        Assert.Contains(logs.Logger.At(LogLevel.Warning), w => w.Contains(root.File("state"), StringComparison.Ordinal));
    }
}
