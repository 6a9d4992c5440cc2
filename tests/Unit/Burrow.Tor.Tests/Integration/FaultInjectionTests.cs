using System.Diagnostics;
using System.Text;
using Burrow.Tests;
using Burrow.Tor.Client;
using Burrow.Tor.Tests.Client;
using Xunit.Abstractions;

namespace Burrow.Tor.Tests.Integration;

/// <summary>Issue 18, faults on the private network with the whole client: a relay of a live transfer is
/// killed (guard, exit) or the authorities all go away. Each fault ends the affected flow with a typed error
/// in bounded time, other flows go on, and new flows succeed around the fault. Every test gets a network of
/// its own (its own base port and folder): relays die here.</summary>
[Trait("Category", "Integration")]
[Collection(FaultInjectionCollection.Name)]
public sealed class FaultInjectionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDirectory _state = new();
    private readonly TempDirectory _cache = new();
    private string _dir = "";
    private TestNetwork _network = null!;

    public Task InitializeAsync()
    {
        var basePort = PrivateTorNetwork.ReserveBasePort();
        _dir = Path.Combine(Path.GetTempPath(), $"burrow-fault-{basePort}");
        Directory.CreateDirectory(_dir);
        _network = PrivateTorNetwork.Start(_dir, basePort, largeSizeMb: 50);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        PrivateTorNetwork.Stop(_dir);
        _state.Dispose();
        _cache.Dispose();
        return Task.CompletedTask;
    }

    private string HttpHost => $"{_network.Http.Address}:{_network.Http.Port}";

    private static CancellationToken Timeout(int seconds = 180) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private async Task<TorClient> BootstrappedClientAsync()
    {
        var client = new TorClient(TorClientNetworkFixture.Options(_network, _state.FullPath, _cache.FullPath));
        await client.BootstrapAsync(null, Timeout());
        return client;
    }

    [Theory]
    [InlineData(0)] // the guard (first hop)
    [InlineData(2)] // the exit
    public async Task Killing_a_relay_of_a_live_transfer_fails_that_flow_fast_and_new_flows_go_around_it(int hop)
    {
        await using var client = await BootstrappedClientAsync();
        var connection = await client.ConnectAsync(_network.Http.Address, _network.Http.Port, "doomed", Timeout());
        var doomedPath = connection.Relays;
        await connection.WriteAsync(Encoding.ASCII.GetBytes($"GET /large HTTP/1.0\r\nHost: {HttpHost}\r\n\r\n"), Timeout());
        var buffer = new byte[64 * 1024];
        long received = 0;
        while (received < 2_000_000)
            received += await connection.ReadAsync(buffer, Timeout());

        var victim = doomedPath.Hops[hop].Nickname;
        KillRelay(victim);
        var clock = Stopwatch.StartNew();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var error = await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            while (await connection.ReadAsync(buffer, guard.Token) is var n && n > 0)
                received += n;
        });
        output.WriteLine($"{victim} (hop {hop + 1} of {doomedPath}) killed at {received / 1e6:0.0} MB: the flow failed after {clock.Elapsed.TotalSeconds:0.00} s: {error.Message}");
        Assert.True(received < _network.Http.LargeSize);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        await connection.DisposeAsync();

        // New flows avoid the dead relay (a failed circuit's relays are not reused blindly) and are byte-exact.
        for (var i = 0; i < 3; i++)
        {
            await using var fresh = await client.ConnectAsync(_network.Http.Address, _network.Http.Port, $"fresh-{i}", Timeout());
            var response = await HttpOverTor.GetAsync(fresh, HttpHost, "/small", cancellationToken: Timeout());
            Assert.Equal(_network.Http.SmallSha256, response.Sha256);
            Assert.DoesNotContain(fresh.Relays.Hops, h => h.Nickname == victim);
            output.WriteLine($"new flow {i}: {fresh.Relays}");
        }
    }

    [Fact]
    public async Task With_every_authority_gone_the_client_keeps_working_on_its_consensus()
    {
        await using var client = await BootstrappedClientAsync();
        foreach (var authority in _network.Relays.Where(r => r.Role == "authority"))
            KillRelay(authority.Nickname);
        var clock = Stopwatch.StartNew();
        // Flows on new circuits through the remaining relays (authorities were guards too: the client must
        // move to the others).
        for (var i = 0; i < 3; i++)
        {
            await using var fresh = await client.ConnectAsync(_network.Http.Address, _network.Http.Port, $"after-{i}", Timeout());
            var response = await HttpOverTor.GetAsync(fresh, HttpHost, "/small", cancellationToken: Timeout());
            Assert.Equal(_network.Http.SmallSha256, response.Sha256);
            Assert.DoesNotContain(fresh.Relays.Hops, h => h.Nickname.StartsWith("auth", StringComparison.Ordinal));
            output.WriteLine($"flow {i} {clock.Elapsed.TotalSeconds:0.0} s after the authorities died: {fresh.Relays}");
        }
        Assert.True(client.IsReady);
        output.WriteLine($"status: {client.Status.DirectoryRequests}");
    }

    private void KillRelay(string nickname)
    {
        var relay = _network.Relays.Single(r => r.Nickname == nickname);
        RelayProcesses.Kill(_dir, relay.Pid, nickname);
    }
}

[CollectionDefinition(Name)]
public sealed class FaultInjectionCollection
{
    public const string Name = "Fault injection on networks of their own";
}
