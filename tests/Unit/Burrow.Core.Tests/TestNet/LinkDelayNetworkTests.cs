using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Burrow.Tests;

namespace Burrow.Core.Tests.TestNet;

/// <summary>`testnet start --link-delay-ms 20`: a second network, beside the shared one on its
/// own base port, whose relay links all go through the delay proxy. One test, because the
/// network costs a start: it bootstraps, carries /small and /upload through the C tor client,
/// is measurably delayed, and stops without leaving the proxy behind.</summary>
[Trait("Category", "Integration")]
public class LinkDelayNetworkTests
{
    private const int DelayMs = 20;

    private static CancellationToken Within(int seconds) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    [Fact]
    public async Task DelayedNetworkBootstrapsCarriesTrafficSlowerThanTheDelayBoundAndStopsClean()
    {
        var basePort = PrivateTorNetwork.ReserveBasePort();
        var dir = Path.Combine(Path.GetTempPath(), "burrow-testnet-delay-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var r = PrivateTorNetwork.Run(TimeSpan.FromMinutes(4), "start", dir, "--base-port", basePort.ToString(),
                "--large-size-mb", "1", "--link-delay-ms", DelayMs.ToString(),
                "--stop-with-pid", Environment.ProcessId.ToString(), "--stop-lock", PrivateTorNetwork.LockPath(basePort));
            Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
            var net = PrivateTorNetwork.Load(dir);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "network.json")));
            var root = json.RootElement;

            // network.json records the delay and both ports of every relay; the proxy runs.
            Assert.Equal(DelayMs, root.GetProperty("link_delay_ms").GetInt32());
            var proxyPid = root.GetProperty("delayProxy").GetProperty("pid").GetInt32();
            var statsFile = root.GetProperty("delayProxy").GetProperty("statsFile").GetString()!;
            foreach (var relay in root.GetProperty("relays").EnumerateArray())
            {
                var advertised = relay.GetProperty("orPort").GetInt32();
                var listen = relay.GetProperty("listenOrPort").GetInt32();
                Assert.NotEqual(advertised, listen);
                Assert.InRange(listen, basePort, basePort + root.GetProperty("portSpan").GetInt32() - 1);
                Assert.Contains(listen, net.TcpPorts);
                Assert.Contains(advertised, net.TcpPorts);
            }
            var status = PrivateTorNetwork.Run(TimeSpan.FromSeconds(30), "status", dir);
            Assert.True(status.ExitCode == 0, status.Stdout + status.Stderr);
            Assert.Contains($"delay    {DelayMs} ms each way", status.Stdout);
            Assert.Contains("delay    alive", status.Stdout);
            Assert.Contains(proxyPid, TestNetProbes.ProcessesNaming(dir));

            // (a) and (b): /small through the C tor client, correct, and no faster than one
            // round trip over three hops (each hop costs the delay in each direction: 6 x N).
            var chunksBefore = ReadStat(statsFile, "chunksDelayed");
            var watch = Stopwatch.StartNew();
            var (firstByte, got) = await GetMeasuringFirstByteAsync(net.SocksEndPoint, net.Http.Address, net.Http.Port, "/small", watch, Within(60));
            Assert.Equal(200, got.Status);
            Assert.Equal(net.Http.SmallSize, got.BodyBytes);
            Assert.Equal(net.Http.SmallSha256, got.Sha256);
            Assert.True(firstByte >= TimeSpan.FromMilliseconds(6 * DelayMs),
                $"first byte after {firstByte.TotalMilliseconds:F0} ms, below the 3-hop round trip of {6 * DelayMs} ms");
            // The proxy's own counters saw the cells of that request go through it (the stats
            // file is rewritten every 0.5 s: wait for it to move, bounded).
            var chunksAfter = await WaitForStatAboveAsync(statsFile, "chunksDelayed", chunksBefore, Within(10));
            Assert.True(chunksAfter > chunksBefore);

            // Upload sink, directly (loopback, no Tor) and through the C tor client.
            var payload = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
            var expected = Convert.ToHexStringLower(SHA256.HashData(payload));
            using (var direct = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                await direct.ConnectAsync(IPAddress.Parse(net.Http.Address), net.Http.Port, Within(10));
                var (code, body) = await UploadAsync(direct, "POST", net.Http.Address, net.Http.Port, payload, Within(60));
                Assert.Equal(200, code);
                AssertDigest(body, expected, payload.Length);
            }
            using (var viaTor = await Socks5Client.ConnectAsync(net.SocksEndPoint, net.Http.Address, net.Http.Port, Within(60)))
            {
                var (code, body) = await UploadAsync(viaTor, "PUT", net.Http.Address, net.Http.Port, payload, Within(300));
                Assert.Equal(200, code);
                AssertDigest(body, expected, payload.Length);
            }
            // A body without a length is refused with 411.
            using (var noLength = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                await noLength.ConnectAsync(IPAddress.Parse(net.Http.Address), net.Http.Port, Within(10));
                var (code, _) = await UploadAsync(noLength, "POST", net.Http.Address, net.Http.Port, null, Within(30));
                Assert.Equal(411, code);
            }

            // (c) stop leaves no proxy process and no listening port.
            PrivateTorNetwork.Stop(dir);
            Assert.Empty(TestNetProbes.ProcessesNaming(dir));
            Assert.False(File.Exists($"/proc/{proxyPid}/cmdline") && File.ReadAllText($"/proc/{proxyPid}/cmdline").Contains(dir, StringComparison.Ordinal));
            Assert.Empty(net.TcpPorts.Intersect(TestNetProbes.ListeningPorts("-ltn")));
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                PrivateTorNetwork.Stop(dir);
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static void AssertDigest(string body, string sha256, long bytes)
    {
        using var reply = JsonDocument.Parse(body);
        Assert.Equal(sha256, reply.RootElement.GetProperty("sha256").GetString());
        Assert.Equal(bytes, reply.RootElement.GetProperty("bytes").GetInt64());
    }

    /// <summary>GET over a new SOCKS connection; the time from `watch`'s start to the first
    /// byte of the response, and the body's hash.</summary>
    private static async Task<(TimeSpan FirstByte, Socks5Client.Fetched Got)> GetMeasuringFirstByteAsync(
        IPEndPoint socks, string host, int port, string path, Stopwatch watch, CancellationToken ct)
    {
        using var s = await Socks5Client.ConnectAsync(socks, host, port, ct);
        await s.SendAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n"), SocketFlags.None, ct);
        var all = new MemoryStream();
        var buffer = new byte[64 * 1024];
        TimeSpan? first = null;
        int n;
        while ((n = await s.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
        {
            first ??= watch.Elapsed;
            all.Write(buffer, 0, n);
        }
        var (status, body) = SplitResponse(all.ToArray());
        return (first ?? throw new InvalidDataException("no response"),
            new Socks5Client.Fetched(status, body.Length, body.Length, Convert.ToHexStringLower(SHA256.HashData(body))));
    }

    /// <summary>Sends method /upload with the payload (Content-Length), or without any length
    /// header when payload is null; reads the reply to the end (Connection: close).</summary>
    private static async Task<(int Status, string Body)> UploadAsync(Socket s, string method, string host, int port, byte[]? payload, CancellationToken ct)
    {
        var header = $"{method} /upload HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"
            + (payload is null ? "" : $"Content-Length: {payload.Length}\r\n") + "\r\n";
        await s.SendAsync(Encoding.ASCII.GetBytes(header), SocketFlags.None, ct);
        if (payload is not null)
            await s.SendAsync(payload, SocketFlags.None, ct);
        var all = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await s.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
        {
            all.Write(buffer, 0, n);
            if (all.Length > 1024 * 1024)
                throw new InvalidDataException("upload reply larger than 1 MiB");
        }
        var (status, body) = SplitResponse(all.ToArray());
        return (status, Encoding.UTF8.GetString(body));
    }

    private static (int Status, byte[] Body) SplitResponse(byte[] response)
    {
        var end = response.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
            throw new InvalidDataException("HTTP response without a complete header");
        var statusLine = Encoding.ASCII.GetString(response, 0, response.AsSpan().IndexOf("\r\n"u8));
        var parts = statusLine.Split(' ');
        if (parts.Length < 2 || !int.TryParse(parts[1], out var status))
            throw new InvalidDataException("bad HTTP status line: " + statusLine);
        return (status, response[(end + 4)..]);
    }

    private static long ReadStat(string statsFile, string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(statsFile));
        return doc.RootElement.GetProperty(name).GetInt64();
    }

    private static async Task<long> WaitForStatAboveAsync(string statsFile, string name, long above, CancellationToken ct)
    {
        while (true)
        {
            var v = ReadStat(statsFile, name);
            if (v > above)
                return v;
            await Task.Delay(100, ct);
        }
    }
}
