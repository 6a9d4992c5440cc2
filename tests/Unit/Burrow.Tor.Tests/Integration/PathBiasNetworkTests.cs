using System.Text;
using System.Text.Json;
using Burrow.Tests;
using Burrow.Tor.Client;
using Burrow.Tor.PathBias;
using Burrow.Tor.Tests.Client;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Burrow.Tor.Tests.Integration;

/// <summary>
/// Issue 16 item 1 on the private network: relay0 plays a guard that lets circuits through the first hop and
/// kills them when asked to extend (C tor's ExtendAllowPrivateAddresses 0 on a loopback network refuses every
/// EXTEND2). The consensus sets pb_dropguards=1 and a small pb_mincircs; the client starts with relay0 as its
/// first confirmed guard. Path bias warns, disables relay0, and new circuits use other guards. A network of its
/// own: its consensus and relay0 differ from the shared one.
/// </summary>
[Trait("Category", "Integration")]
[Collection(PathBiasNetworkCollection.Name)]
public sealed class PathBiasNetworkTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDirectory _state = new();
    private readonly TempDirectory _cache = new();
    private readonly ListLoggerFactory _logs = new();
    private string _dir = "";
    private TestNetwork _network = null!;

    public Task InitializeAsync()
    {
        var basePort = PrivateTorNetwork.ReserveBasePort();
        _dir = Path.Combine(Path.GetTempPath(), $"burrow-pathbias-{basePort}");
        Directory.CreateDirectory(_dir);
        _network = PrivateTorNetwork.Start(_dir, basePort, largeSizeMb: 1, votingInterval: 60,
            "--consensus-params", "pb_dropguards=1 pb_mincircs=10 pb_minuse=5",
            "--node-torrc", "relay0:ExtendAllowPrivateAddresses 0");
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        PrivateTorNetwork.Stop(_dir);
        _state.Dispose();
        _cache.Dispose();
        return Task.CompletedTask;
    }

    private static CancellationToken Timeout(int seconds = 120) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    /// <summary>guards.json with relay0 as the first sampled and confirmed guard: the primary guard to start with.</summary>
    private void SeedGuardState(string fingerprint)
    {
        var now = DateTime.UtcNow;
        var state = new
        {
            version = 1,
            guards = new object[]
            {
                new { id = fingerprint, nickname = "relay0", addedOn = now.AddDays(-1), addedBy = "test", listed = true, confirmedOn = now.AddHours(-1), confirmedIndex = 0 },
            },
        };
        File.WriteAllText(Path.Combine(_state.FullPath, "guards.json"), JsonSerializer.Serialize(state));
    }

    [Fact]
    public async Task A_guard_that_kills_circuits_after_the_first_hop_is_warned_about_disabled_and_avoided()
    {
        var bad = _network.Relays.Single(r => r.Nickname == "relay0");
        SeedGuardState(bad.Fingerprint);
        await using var client = new TorClient(TorClientNetworkFixture.Options(_network, _state.FullPath, _cache.FullPath), _logs);
        var firstHops = new List<string>();
        client.CircuitBuilt += (_, c) => { lock (firstHops) firstHops.Add(c.Hops[0].Nickname); };
        client.CircuitFailed += (_, f) => output.WriteLine($"build failed: {string.Join(" -> ", f.Path)}: {f.Reason}");
        await client.BootstrapAsync(null, Timeout());
        // relay0 was the first primary guard; preemptive circuits may already be judging it.
        var start = client.GetStatus().SampledGuards.Single(g => g.Nickname == "relay0");
        Assert.True(start.IsConfirmed);
        Assert.True(start.IsPrimary || start.PathBiasDisabled);

        // Streams on fresh circuits (a new isolation key each) until the guard is judged; every request is bounded.
        var failed = 0;
        for (var i = 0; i < 40 && !(client.GetStatus().SampledGuards.SingleOrDefault(g => g.Nickname == "relay0")?.PathBiasDisabled ?? false); i++)
        {
            try
            {
                await using var c = await client.ConnectAsync(_network.Http.Address, _network.Http.Port, "k" + i, Timeout(60));
            }
            catch (TorClientException e)
            {
                failed++;
                output.WriteLine($"request {i}: {e.Kind}: {e.Message}");
            }
        }
        var status = client.GetStatus();
        var relay0 = status.SampledGuards.Single(g => g.Nickname == "relay0");
        output.WriteLine($"relay0: {relay0.PathBias}, disabled {relay0.PathBiasDisabled}, {relay0.CircuitAttempts} attempts, success rate {relay0.CircuitSuccessRate}; {failed} requests failed");
        foreach (var w in _logs.Logger.At(LogLevel.Warning))
            output.WriteLine("warning: " + w);
        Assert.Equal(PathBiasLevel.Extreme, relay0.PathBias);
        Assert.True(relay0.PathBiasDisabled);
        Assert.True(relay0.CircuitAttempts >= 10);
        Assert.Equal(0, relay0.CircuitSuccessRate);
        Assert.Contains(_logs.Logger.At(LogLevel.Warning), w => w.Contains("Path bias", StringComparison.Ordinal) && w.Contains("relay0", StringComparison.Ordinal) && w.Contains("extreme share", StringComparison.Ordinal));
        Assert.DoesNotContain(status.PrimaryGuards, g => g.Nickname == "relay0");

        // Avoided from now on: new circuits go through other guards and work. (relay0 still refuses to extend
        // when a path picks it as the middle, so some builds fail there: those are retried or counted, not fatal.)
        lock (firstHops)
            firstHops.Clear();
        var served = 0;
        for (var i = 0; i < 12 && served < 4; i++)
        {
            try
            {
                await using var c = await client.ConnectAsync(_network.Http.Address, _network.Http.Port, "after" + i, Timeout(60));
                await c.WriteAsync(Encoding.ASCII.GetBytes($"GET /small HTTP/1.0\r\nHost: {_network.Http.Address}\r\n\r\n"), Timeout());
                var reply = await new StreamReader(c).ReadToEndAsync(Timeout());
                Assert.StartsWith("HTTP/1.", reply);
                served++;
            }
            catch (TorClientException e) when (e.Kind == TorClientErrorKind.CircuitFailed)
            {
                output.WriteLine($"after {i}: {e.Message}");
            }
        }
        lock (firstHops)
        {
            output.WriteLine("first hops since: " + string.Join(", ", firstHops));
            Assert.NotEmpty(firstHops);
            Assert.DoesNotContain("relay0", firstHops);
        }
        Assert.True(served >= 4, $"{served} requests served through the other guards");

        // Persisted with the guard state.
        await client.DisposeAsync();
        var saved = File.ReadAllText(Path.Combine(_state.FullPath, "guards.json"));
        Assert.Contains("\"pbDisabled\": true", saved);
    }
}

[CollectionDefinition(Name)]
public sealed class PathBiasNetworkCollection
{
    public const string Name = "Path bias on a network of its own";
}
