using System.Net;
using System.Security.Cryptography;
using System.Text;
using Burrow.Core.Configuration;
using Burrow.Core.Networks;
using Burrow.Core.Upstreams;
using Burrow.Tests;
using Burrow.Tor.Client;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Core.Tests.Upstreams;

/// <summary>The built-in Tor client as the upstream, on the shared private network.</summary>
[Trait("Category", "Integration")]
public sealed class InProcessTorConnectorTests : IDisposable
{
    private readonly string _dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "burrow-inproc-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static CancellationToken Within(int seconds) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private TorClientOptions Options(TestNetwork net) => new()
    {
        StateDir = System.IO.Path.Combine(_dir, "state"),
        CacheDir = System.IO.Path.Combine(_dir, "cache"),
        Authorities = net.Authorities.Select(a => new DirAuthority(a.Nickname, a.V3ident)).ToList(),
        FallbackCaches = net.Authorities.Select(a => new FallbackDir(a.Fingerprint, a.Ed25519Id, [new IPEndPoint(IPAddress.Parse(a.Address), a.OrPort)])).ToList(),
        Ipv4SubnetFamilyPrefix = 33,
    };

    private sealed class Recorder : IProgress<UpstreamProgress>
    {
        public List<UpstreamProgress> Seen { get; } = [];

        public void Report(UpstreamProgress value)
        {
            lock (Seen)
                Seen.Add(value);
        }
    }

    [Fact]
    public async Task Bootstraps_with_progress_and_carries_a_stream()
    {
        var net = PrivateTorNetwork.Get();
        await using var connector = new InProcessTorConnector(Options(net), NullLoggerFactory.Instance);
        Assert.Equal("in-process Tor client", connector.Description);
        var progress = new Recorder();
        await connector.StartAsync(progress, Within(120));
        Assert.Equal(100, progress.Seen[^1].Percent);
        Assert.Equal("done", progress.Seen[^1].Phase);
        Assert.Contains(progress.Seen, p => p.Phase.StartsWith("loading microdescriptors", StringComparison.Ordinal) && p.Percent is >= 50 and <= 75);

        await using var connection = await connector.ConnectAsync(net.HttpEndPoint, "flow-1", Within(60));
        var exits = net.Exits.ToList();
        Assert.Contains(exits, e => connection.Circuit == $"{e.Nickname} ({e.Fingerprint[..8]}..)");
        var request = Encoding.ASCII.GetBytes($"GET /small HTTP/1.0\r\nHost: {net.Http.Address}\r\n\r\n");
        await connection.Stream.WriteAsync(request, Within(30));
        var (status, body) = await ReadResponseAsync(connection.Stream, Within(60));
        Assert.Equal(200, status);
        Assert.Equal(net.Http.SmallSha256, Convert.ToHexStringLower(SHA256.HashData(body)));
        // No half-close on Tor streams: like C tor, the client's EOF ends the stream (END); readers see the end.
        await connection.CompleteWritesAsync();
        Assert.Equal(0, await connection.Stream.ReadAsync(new byte[16], Within(30)));
    }

    [Fact]
    public async Task Errors_are_upstream_exceptions_with_kinds()
    {
        var net = PrivateTorNetwork.Get();
        await using var connector = new InProcessTorConnector(Options(net), NullLoggerFactory.Instance);
        var early = await Assert.ThrowsAsync<UpstreamException>(async () => await connector.ConnectAsync(net.HttpEndPoint, "k", Within(30)));
        Assert.Equal(UpstreamErrorKind.ConnectorUnavailable, early.Kind);
        await connector.StartAsync(null, Within(120));
        var closed = await Assert.ThrowsAsync<UpstreamException>(async () =>
            await connector.ConnectAsync(new IPEndPoint(IPAddress.Parse("127.0.0.3"), net.Http.Port), "k", Within(60)));
        Assert.Contains(closed.Kind, new[] { UpstreamErrorKind.ConnectionRefused, UpstreamErrorKind.Other });
        Assert.IsType<TorClientException>(closed.InnerException);
    }

    [Fact]
    public async Task A_bootstrap_that_cannot_reach_any_cache_is_a_clear_start_failure()
    {
        var net = PrivateTorNetwork.Get();
        // Right authorities, but fallback caches on a port nothing listens on.
        var options = Options(net);
        var dead = new TorClientOptions
        {
            StateDir = options.StateDir,
            CacheDir = options.CacheDir,
            Authorities = options.Authorities,
            FallbackCaches = [new FallbackDir(net.Authorities[0].Fingerprint, null, [new IPEndPoint(IPAddress.Loopback, 9)])],
            Ipv4SubnetFamilyPrefix = 33,
            DirectoryRequestTimeout = TimeSpan.FromSeconds(5),
        };
        await using var connector = new InProcessTorConnector(dead, NullLoggerFactory.Instance);
        var e = await Assert.ThrowsAsync<UpstreamException>(() => connector.StartAsync(null, Within(120)));
        Assert.Equal(UpstreamErrorKind.ConnectorUnavailable, e.Kind);
        Assert.Contains("no usable consensus", e.Message);
    }

    [Fact]
    public void TorNetworkCreateUsesTheInProcessClientByDefault()
    {
        var options = new TorNetworkOptions { Arti = new ArtiSection { StateDir = System.IO.Path.Combine(_dir, "s"), CacheDir = System.IO.Path.Combine(_dir, "c") } };
        Assert.Equal(UpstreamKind.InProcess, options.Upstream.Kind);
        var network = TorNetwork.Create("inproc-default", options, NullLoggerFactory.Instance);
        Assert.Equal("in-process Tor client", network.Upstream);
    }

    private static async Task<(int Status, byte[] Body)> ReadResponseAsync(Stream stream, CancellationToken ct)
    {
        var all = new MemoryStream();
        var buffer = new byte[16384];
        int n;
        while ((n = await stream.ReadAsync(buffer, ct)) > 0)
        {
            all.Write(buffer, 0, n);
            var text = all.ToArray();
            var end = text.AsSpan().IndexOf("\r\n\r\n"u8);
            if (end < 0)
                continue;
            var head = Encoding.ASCII.GetString(text, 0, end);
            var length = int.Parse(head.Split("\r\n").First(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)).Split(':')[1].Trim());
            if (text.Length - end - 4 >= length)
                return (int.Parse(head.Split(' ')[1]), text[(end + 4)..(end + 4 + length)]);
        }
        throw new EndOfStreamException("the response ended early");
    }
}
