using System.Diagnostics;
using System.Net;
using System.Text;
using Burrow.Tests;
using Burrow.Tor.Client;
using Burrow.Tor.Dir;
using Burrow.Tor.Guards;
using Burrow.Tor.NetDoc;
using Burrow.Tor.Tests.Integration;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Burrow.Tor.Tests.Client;

/// <summary>The whole client against the private network of real C tor relays (tests/TestNet).</summary>
[Trait("Category", "Integration")]
[Collection(TorClientNetworkCollection.Name)]
[Trait("Category", "Integration")]
public sealed class TorClientNetworkTests(TorClientNetworkFixture fx, ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _state = new();
    private readonly TempDirectory _cache = new();
    private readonly ListLoggerFactory _logs = new();

    public void Dispose()
    {
        _state.Dispose();
        _cache.Dispose();
    }

    private static CancellationToken Timeout(int seconds = 120) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private TestNetwork Network => fx.Network;

    private string HttpHost => $"{Network.Http.Address}:{Network.Http.Port}";

    private TorClient NewClient(string? cacheDir = null) => new(TorClientNetworkFixture.Options(Network, _state.FullPath, cacheDir ?? _cache.FullPath), _logs);

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
    public async Task Cold_bootstrap_then_a_restart_that_uses_the_cache()
    {
        var progress = new Recorder();
        var sw = Stopwatch.StartNew();
        await using (var client = NewClient())
        {
            await client.BootstrapAsync(progress, Timeout());
            var cold = sw.Elapsed;
            Assert.True(client.IsReady);
            Assert.False(client.UsedCachedConsensus);
            Assert.Equal(1, client.DirectoryStatistics.ConsensusRequests);
            Assert.True(client.DirectoryStatistics.CertificateRequests >= 1);
            Assert.True(client.DirectoryStatistics.MicrodescriptorRequests >= 1);
            var status = client.Status;
            Assert.Equal(7, status.Relays);
            Assert.Equal(7, status.RelaysWithMicrodescriptors);
            Assert.True(status.OpenCircuits >= 1);
            Assert.Equal(100, status.Bootstrap.Percent);
            output.WriteLine($"cold bootstrap: {cold.TotalMilliseconds:0} ms; {client.DirectoryStatistics}");

            var summaries = progress.Seen.Select(s => s.Summary).ToList();
            Assert.Equal("starting", summaries[0]);
            Assert.Contains("loading consensus", summaries);
            Assert.Contains("loading authority certificates", summaries);
            Assert.Contains("loading microdescriptors 100%", summaries);
            Assert.Contains("building circuits", summaries);
            Assert.Equal("done", summaries[^1]);
            for (var i = 1; i < progress.Seen.Count; i++)
                Assert.True(progress.Seen[i].Percent >= progress.Seen[i - 1].Percent);

            await using var connection = await client.ConnectAsync(Network.HttpEndPoint, null, Timeout());
            var small = await HttpOverTor.GetAsync(connection.Stream, HttpHost, "/small", cancellationToken: Timeout());
            Assert.Equal(Network.Http.SmallSha256, small.Sha256);
            Assert.Contains(Network.Exits, e => e.Fingerprint == connection.ExitFingerprint && e.Nickname == connection.ExitNickname);
            Assert.Equal(3, connection.Relays.Hops.Count);
        }
        Assert.True(File.Exists(System.IO.Path.Combine(_state.FullPath, GuardStore.FileName)));
        foreach (var f in new[] { DirectoryStore.ConsensusFile, DirectoryStore.CertificatesFile, DirectoryStore.MicrodescriptorsFile })
            Assert.True(File.Exists(System.IO.Path.Combine(_cache.FullPath, f)), f);
        var guardsBefore = new GuardStore(_state.FullPath).Load().Sampled.Select(g => g.Identity).ToList();
        Assert.NotEmpty(guardsBefore);

        // Restart: the consensus (valid for 60 s) comes from cache_dir; nothing is downloaded.
        sw.Restart();
        await using (var warm = NewClient())
        {
            await warm.BootstrapAsync(null, Timeout());
            output.WriteLine($"warm bootstrap: {sw.Elapsed.TotalMilliseconds:0} ms; {warm.DirectoryStatistics}");
            Assert.True(warm.UsedCachedConsensus);
            Assert.Equal(0, warm.DirectoryStatistics.TotalRequests);
            Assert.Equal(guardsBefore, warm.Guards.Snapshot().Select(g => Burrow.Tor.Identities.RsaIdentity.FromHex(g.Fingerprint)).ToList());
            await using var connection = await warm.ConnectAsync(Network.HttpEndPoint, null, Timeout());
            Assert.Equal(Network.Http.SmallSha256, (await HttpOverTor.GetAsync(connection.Stream, HttpHost, "/small", cancellationToken: Timeout())).Sha256);
        }
    }

    [Fact]
    public async Task Fallbacks_given_as_DirAuthority_lines_without_Ed25519_identities_work()
    {
        // What [arti.tor_network] dir_authorities gives: RSA fingerprint and ORPort only.
        var options = TorClientNetworkFixture.Options(Network, _state.FullPath, _cache.FullPath);
        options = new TorClientOptions
        {
            StateDir = options.StateDir,
            CacheDir = options.CacheDir,
            Authorities = options.Authorities,
            FallbackCaches = options.FallbackCaches.Select(f => new FallbackDir(f.RsaIdentity, null, f.OrPorts)).ToList(),
            Ipv4SubnetFamilyPrefix = 33,
        };
        await using var client = new TorClient(options, _logs);
        await client.BootstrapAsync(null, Timeout());
        Assert.True(client.IsReady);
        Assert.Equal(0, client.DirectoryStatistics.FailedRequests);
    }

    [Fact]
    public async Task A_tampered_cache_is_rejected_and_refetched()
    {
        await using (var client = NewClient())
            await client.BootstrapAsync(null, Timeout());
        var path = System.IO.Path.Combine(_cache.FullPath, DirectoryStore.ConsensusFile);
        var text = File.ReadAllText(path, Encoding.Latin1);
        var at = text.IndexOf("\nw Bandwidth=", StringComparison.Ordinal);
        File.WriteAllText(path, text[..at] + "\nw Bandwidth=999999" + text[text.IndexOf(' ', at + 13)..], Encoding.Latin1);

        await using var again = NewClient();
        await again.BootstrapAsync(null, Timeout());
        Assert.False(again.UsedCachedConsensus);
        Assert.Equal(1, again.DirectoryStatistics.ConsensusRequests);
        Assert.Contains(_logs.Logger.At(LogLevel.Warning), w => w.Contains("fails verification", StringComparison.Ordinal));
        Assert.DoesNotContain("Bandwidth=999999", File.ReadAllText(path, Encoding.Latin1));
    }

    [Fact]
    public async Task The_large_file_arrives_byte_exact()
    {
        await using var client = NewClient();
        await client.BootstrapAsync(null, Timeout());
        await using var connection = await client.ConnectAsync(Network.HttpEndPoint, null, Timeout());
        var sw = Stopwatch.StartNew();
        var large = await HttpOverTor.GetAsync(connection.Stream, HttpHost, "/large", keepBody: false, cancellationToken: Timeout(300));
        var seconds = sw.Elapsed.TotalSeconds;
        Assert.Equal(200, large.Status);
        Assert.Equal(Network.Http.LargeSize, large.Length);
        Assert.Equal(Network.Http.LargeSha256, large.Sha256);
        output.WriteLine($"{large.Length / 1048576.0:0} MiB in {seconds:0.00} s = {large.Length / seconds / 1e6:0.0} MB/s via {connection.CircuitDescription}");
    }

    [Fact]
    public async Task A_request_sent_as_optimistic_data_is_answered_by_the_exit()
    {
        await using var client = NewClient();
        await client.BootstrapAsync(null, Timeout());
        var early = new OptimisticData();
        Assert.True(early.TryAppend(HttpOverTor.Request(HttpHost, "/small")));
        await using var connection = await client.ConnectAsync(Network.HttpEndPoint, null, early, Timeout());
        Assert.True(early.IsSealed);
        // Nothing is written after the stream opened: the exit got the request before it answered CONNECTED.
        var small = await HttpOverTor.ReadResponseAsync(connection.Stream, cancellationToken: Timeout());
        Assert.Equal(200, small.Status);
        Assert.Equal(Network.Http.SmallSha256, small.Sha256);
        // The early bytes count as sent on the circuit like any written later.
        Assert.True(client.GetCircuits().Single(c => c.Id == connection.CircuitId).BytesSent >= early.Length);

        // By host name too (the exit resolves, then connects, then takes the queued data).
        var byName = new OptimisticData();
        Assert.True(byName.TryAppend(HttpOverTor.Request(HttpHost, "/small")));
        await using var named = await client.ConnectAsync(Network.Http.Address.ToString(), Network.Http.Port, null, byName, Timeout());
        Assert.Equal(Network.Http.SmallSha256, (await HttpOverTor.ReadResponseAsync(named.Stream, cancellationToken: Timeout())).Sha256);
    }

    [Fact]
    public async Task Hostnames_resolve_at_the_exit()
    {
        await using var client = NewClient();
        await client.BootstrapAsync(null, Timeout());
        var name = Network.DnsStub.Names.First(n => n.Name == "www.burrow.test");
        var addresses = await client.ResolveAsync(name.Name, null, Timeout());
        Assert.Contains(IPAddress.Parse(name.Address), addresses);

        await using var connection = await client.ConnectAsync(name.Name, Network.Http.Port, null, Timeout());
        Assert.Equal(Network.Http.SmallSha256, (await HttpOverTor.GetAsync(connection.Stream, $"{name.Name}:{Network.Http.Port}", "/small", cancellationToken: Timeout())).Sha256);

        var unknown = await Assert.ThrowsAsync<TorClientException>(() => client.ResolveAsync("nonexistent.burrow.test", null, Timeout()));
        Assert.Equal(TorClientErrorKind.ResolveFailed, unknown.Kind);
        var unknownConnect = await Assert.ThrowsAsync<TorClientException>(() => client.ConnectAsync("nonexistent.burrow.test", 80, null, Timeout()));
        Assert.Equal(TorClientErrorKind.ResolveFailed, unknownConnect.Kind);
    }

    [Fact]
    public async Task A_closed_port_fails_with_a_typed_error()
    {
        await using var client = NewClient();
        await client.BootstrapAsync(null, Timeout());
        // Nothing listens on 127.0.0.3.
        var e = await Assert.ThrowsAsync<TorClientException>(() => client.ConnectAsync(new IPEndPoint(IPAddress.Parse("127.0.0.3"), Network.Http.Port), null, Timeout()));
        // C tor 0.4.9 exits end such streams with REASON_MISC rather than CONNECTREFUSED: the client
        // cannot tell a refusal from a flaky exit and tries the other exit before giving up.
        Assert.True(e.Kind is TorClientErrorKind.ConnectionRefused or TorClientErrorKind.StreamFailed, $"{e.Kind}: {e.Message}");
        var inner = Assert.IsType<Burrow.Tor.Streams.TorStreamException>(e.InnerException);
        if (inner.Kind == Burrow.Tor.Streams.TorStreamErrorKind.Misc)
        {
            // Retried on the other exit when a circuit through it could be built (on a freshly started
            // network it sometimes cannot yet); either way the message names every exit it tried.
            var named = Network.Exits.Where(x => e.Message.Contains(x.Nickname, StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(named);
            Assert.Contains(named.Count == 1 ? "through exit " : $"after {named.Count} attempts", e.Message);
        }
        else
            Assert.Equal(Burrow.Tor.Streams.TorStreamErrorKind.ConnectionRefused, inner.Kind);
        Assert.Contains("127.0.0.3", e.Message);
        output.WriteLine(e.Message);
        // The client still works afterwards.
        await using var ok = await client.ConnectAsync(Network.HttpEndPoint, null, Timeout());
        Assert.Equal(Network.Http.SmallSha256, (await HttpOverTor.GetAsync(ok.Stream, HttpHost, "/small", cancellationToken: Timeout())).Sha256);
    }

    [Fact]
    public async Task Isolation_keys_never_share_a_circuit()
    {
        await using var client = NewClient();
        await client.BootstrapAsync(null, Timeout());
        await using var a1 = await client.ConnectAsync(Network.HttpEndPoint, "alice", Timeout());
        await using var b1 = await client.ConnectAsync(Network.HttpEndPoint, "bob", Timeout());
        await using var a2 = await client.ConnectAsync(Network.HttpEndPoint, "alice", Timeout());
        Assert.NotSame(a1.UnderlyingCircuit, b1.UnderlyingCircuit);
        Assert.Same(a1.UnderlyingCircuit, a2.UnderlyingCircuit);
        foreach (var c in new[] { a1, b1, a2 })
            Assert.Equal(Network.Http.SmallSha256, (await HttpOverTor.GetAsync(c.Stream, HttpHost, "/small", cancellationToken: Timeout())).Sha256);
        var bound = client.Circuits.Snapshot().Where(c => c.IsolationKey != null).ToList();
        Assert.Equal(bound.Count, bound.Select(c => c.Circuit).Distinct().Count());
        Assert.Single(bound, c => c.IsolationKey == "alice");
        Assert.Single(bound, c => c.IsolationKey == "bob");
    }

    [Fact]
    public async Task The_consensus_is_refreshed_before_it_expires()
    {
        await using var client = NewClient();
        await client.BootstrapAsync(null, Timeout());
        var first = client.Directory!;
        // The network votes every interval; a consensus is valid for three. Wait past the first
        // one's end: the client must have fetched newer ones (from its guards) on its own.
        var deadline = first.ValidUntil.AddSeconds(5);
        while (DateTime.UtcNow < deadline)
            await Task.Delay(1000);
        var now = client.Directory!;
        Assert.True(now.ValidAfter > first.ValidAfter, $"still {first.ValidAfter:u} at {DateTime.UtcNow:u}");
        Assert.True(now.IsLive(DateTime.UtcNow));
        Assert.Equal(now.Relays.Count, now.RelaysWithMicrodescriptor);
        Assert.True(client.DirectoryStatistics.ConsensusRequests >= 2);
        output.WriteLine($"{client.DirectoryStatistics}; consensus {first.ValidAfter:HH:mm:ss} -> {now.ValidAfter:HH:mm:ss}");
        await using var connection = await client.ConnectAsync(Network.HttpEndPoint, null, Timeout());
        Assert.Equal(Network.Http.SmallSha256, (await HttpOverTor.GetAsync(connection.Stream, HttpHost, "/small", cancellationToken: Timeout())).Sha256);
        Assert.Empty(_logs.Logger.At(LogLevel.Warning));
    }

    [Fact]
    public async Task Connect_before_bootstrap_and_after_dispose_are_typed_errors()
    {
        var client = NewClient();
        var early = await Assert.ThrowsAsync<TorClientException>(() => client.ConnectAsync(Network.HttpEndPoint, null, Timeout()));
        Assert.Equal(TorClientErrorKind.NotBootstrapped, early.Kind);
        await client.BootstrapAsync(null, Timeout());
        await client.DisposeAsync();
        var late = await Assert.ThrowsAsync<TorClientException>(() => client.ConnectAsync(Network.HttpEndPoint, null, Timeout()));
        Assert.Equal(TorClientErrorKind.Disposed, late.Kind);
        Assert.Empty(client.Circuits.Snapshot());
    }
}

/// <summary>The shared private network for the client tests.</summary>
public sealed class TorClientNetworkFixture
{
    internal TestNetwork Network { get; } = PrivateTorNetwork.Get();

    /// <summary>Options for the private network: its authorities, their ORPorts as fallback caches, no subnet rule (all on 127.0.0.1).</summary>
    internal static TorClientOptions Options(TestNetwork network, string stateDir, string cacheDir) => new()
    {
        StateDir = stateDir,
        CacheDir = cacheDir,
        Authorities = network.Authorities.Select(a => new DirAuthority(a.Nickname, a.V3ident)).ToList(),
        FallbackCaches = network.Authorities
            .Select(a => new FallbackDir(a.Fingerprint, a.Ed25519Id, [new IPEndPoint(IPAddress.Parse(a.Address), a.OrPort)]))
            .ToList(),
        Ipv4SubnetFamilyPrefix = 33,
        Ipv6SubnetFamilyPrefix = 129,
    };
}

[CollectionDefinition(Name)]
public sealed class TorClientNetworkCollection : ICollectionFixture<TorClientNetworkFixture>
{
    public const string Name = "The Tor client on the private Tor network";
}

/// <summary>Collects every log record of a client (all categories).</summary>
internal sealed class ListLoggerFactory : ILoggerFactory
{
    public ListLogger Logger { get; } = new();

    public void AddProvider(ILoggerProvider provider) { }

    public ILogger CreateLogger(string categoryName) => Logger;

    public void Dispose() { }
}
