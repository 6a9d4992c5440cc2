using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Burrow.Tests;
using Burrow.Tor.Client;
using Burrow.Tor.Tests.Client;
using Xunit.Abstractions;

namespace Burrow.Tor.Tests.Onion;

/// <summary>
/// The onion-service client against C tor onion services on the private network (the testnet's C tor
/// client hosts them: one open, one with client authorization; network.json "onionServices").
/// </summary>
[Trait("Category", "Integration")]
[Collection(TorClientNetworkCollection.Name)]
public sealed class OnionServiceNetworkTests(TorClientNetworkFixture fx, ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _state = new();
    private readonly TempDirectory _cache = new();
    private readonly ListLoggerFactory _logs = new();

    public void Dispose()
    {
        _state.Dispose();
        _cache.Dispose();
    }

    private static CancellationToken Timeout(int seconds) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private JsonElement Onion(string which)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(fx.Network.Dir, "network.json")));
        return doc.RootElement.GetProperty("onionServices").GetProperty(which).Clone();
    }

    private JsonElement Http()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(fx.Network.Dir, "network.json")));
        return doc.RootElement.GetProperty("http").Clone();
    }

    private async Task<TorClient> StartAsync(string? clientAuthDir)
    {
        var b = TorClientNetworkFixture.Options(fx.Network, _state.FullPath, _cache.FullPath);
        var options = new TorClientOptions
        {
            StateDir = b.StateDir,
            CacheDir = b.CacheDir,
            Authorities = b.Authorities,
            FallbackCaches = b.FallbackCaches,
            Ipv4SubnetFamilyPrefix = b.Ipv4SubnetFamilyPrefix,
            Ipv6SubnetFamilyPrefix = b.Ipv6SubnetFamilyPrefix,
            OnionClientAuthDir = clientAuthDir,
            TestingTorNetwork = true,
        };
        var client = new TorClient(options, _logs);
        await client.BootstrapAsync(null, Timeout(120));
        return client;
    }

    /// <summary>
    /// The services publish their descriptors some seconds after the network is up: until then a connect
    /// fails with "not found" or a failed introduction. Retried, bounded at 150 s in all.
    /// </summary>
    private async Task<TorConnection> ConnectWhenPublishedAsync(TorClient client, string address)
    {
        var deadline = DateTime.UtcNow.AddSeconds(150);
        while (true)
        {
            try
            {
                return await client.ConnectOnionAsync(address, 80, Timeout(120));
            }
            catch (TorClientException e) when (e.Kind is TorClientErrorKind.OnionServiceNotFound or TorClientErrorKind.OnionIntroductionFailed
                                                   or TorClientErrorKind.CircuitFailed && DateTime.UtcNow < deadline)
            {
                output.WriteLine($"not yet: {e.Message}");
                await Task.Delay(TimeSpan.FromSeconds(3));
            }
        }
    }

    private static async Task<byte[]> GetAsync(Stream stream, string path, CancellationToken ct)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.0\r\nHost: onion\r\n\r\n"), ct);
        using var ms = new MemoryStream();
        await stream.CopyToAsync(ms, ct);
        var all = ms.ToArray();
        var split = all.AsSpan().IndexOf("\r\n\r\n"u8);
        Assert.True(split > 0, "no HTTP header end in the response");
        Assert.StartsWith("HTTP/1.", Encoding.ASCII.GetString(all, 0, 8), StringComparison.Ordinal);
        Assert.Contains(" 200 ", Encoding.ASCII.GetString(all, 0, split), StringComparison.Ordinal);
        return all[(split + 4)..];
    }

    [Fact]
    public async Task Large_body_through_the_onion_service_matches_its_checksum_and_the_descriptor_is_cached()
    {
        await using var client = await StartAsync(null);
        var address = Onion("public").GetProperty("address").GetString()!;
        byte[] body;
        await using (var connection = await ConnectWhenPublishedAsync(client, address))
        {
            Assert.Contains(address, connection.CircuitDescription, StringComparison.Ordinal);
            body = await GetAsync(connection, "/large", Timeout(300));
        }
        Assert.Equal(Http().GetProperty("largeSize").GetInt64(), body.LongLength);
        Assert.Equal(Http().GetProperty("largeSha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(body)));

        // A second connection: the descriptor comes from the cache (no new HSDir fetch needed to succeed).
        await using var again = await client.ConnectAsync(address, 80, cancellationToken: Timeout(120));
        var small = await GetAsync(again, "/small", Timeout(60));
        Assert.Equal(Http().GetProperty("smallSha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(small)));
    }

    [Fact]
    public async Task Restricted_service_works_with_its_client_key_and_fails_clearly_without()
    {
        var restricted = Onion("restricted");
        var address = restricted.GetProperty("address").GetString()!;
        await using (var client = await StartAsync(restricted.GetProperty("clientAuthDir").GetString()))
        {
            await using var connection = await ConnectWhenPublishedAsync(client, address);
            var small = await GetAsync(connection, "/small", Timeout(60));
            Assert.Equal(Http().GetProperty("smallSha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(small)));
        }
        await using (var client = await StartAsync(null))
        {
            var e = await Assert.ThrowsAsync<TorClientException>(() => client.ConnectOnionAsync(address, 80, Timeout(120)));
            Assert.Equal(TorClientErrorKind.OnionClientAuthRequired, e.Kind);
            Assert.Contains("client authorization", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Malformed_onion_address_fails_at_once_with_the_reason()
    {
        await using var client = await StartAsync(null);
        var good = Onion("public").GetProperty("address").GetString()!;
        var bad = good[..10] + (good[10] == 'a' ? 'b' : 'a') + good[11..];
        var e = await Assert.ThrowsAsync<TorClientException>(() => client.ConnectAsync(bad, 80, cancellationToken: Timeout(10)));
        Assert.Equal(TorClientErrorKind.OnionAddressInvalid, e.Kind);
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
    }
}
