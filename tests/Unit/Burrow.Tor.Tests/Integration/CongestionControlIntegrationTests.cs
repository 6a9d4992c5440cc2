using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Burrow.Tor.Cells;
using Burrow.Tor.Circuits;
using Burrow.Tor.Streams;
using Xunit.Abstractions;

namespace Burrow.Tor.Tests.Integration;

/// <summary>ntor v3 circuits with congestion control (proposals 332, 324) against the private network's
/// C tor 0.4.9 relays, which offer Relay=4 and FlowCtrl=2 and vote cc_alg=2.</summary>
[Trait("Category", "Integration")]
[Collection(WireNetworkCollection.Name)]
public class CongestionControlIntegrationTests(WireNetworkFixture fx, ITestOutputHelper output)
{
    private static CancellationToken Timeout(int seconds = 120) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private string HttpHost => $"{fx.Network.Http.Address}:{fx.Network.Http.Port}";

    [Theory]
    [InlineData("auth0", "relay0", "exit0")]
    [InlineData("relay1", "auth2", "exit1")]
    public async Task Every_hop_uses_ntor_v3_and_the_exit_negotiates_congestion_control(string guard, string middle, string exit)
    {
        var path = fx.Path(guard, middle, exit);
        Assert.All(path, hop => Assert.True(hop.SupportsNtorV3, $"{hop} should offer Relay=4"));
        Assert.True(path[^1].SupportsCongestionControl);
        await using var circuit = await fx.Builder.BuildAsync(path, Timeout());
        Assert.Equal([HandshakeType.NtorV3, HandshakeType.NtorV3, HandshakeType.NtorV3], circuit.HopHandshakes);
        Assert.True(circuit.CongestionControlled);
        Assert.Equal(fx.Directory.Params.Get("cc_sendme_inc", 31, 1, 255), circuit.CircuitSendmeIncrement);

        await using var stream = await circuit.OpenStreamAsync(fx.Network.HttpEndPoint, Timeout());
        Assert.True(stream.UsesXonXoff);
        var response = await HttpOverTor.GetAsync(stream, HttpHost, "/small", cancellationToken: Timeout());
        Assert.Equal(fx.Network.Http.SmallSha256, response.Sha256);
        Assert.False(circuit.IsClosed);
    }

    [Fact]
    public async Task A_one_hop_circuit_uses_ntor_v3_without_congestion_control()
    {
        await using var circuit = await fx.Builder.BuildAsync(fx.Path("relay0"), Timeout());
        Assert.Equal([HandshakeType.NtorV3], circuit.HopHandshakes);
        Assert.False(circuit.CongestionControlled);
        Assert.Equal(Circuit.SendmeIncrement, circuit.CircuitSendmeIncrement);
    }

    [Fact]
    public async Task Relays_without_known_protocols_get_ntor_v1_and_fixed_windows()
    {
        var path = new[] { "auth1", "relay1", "exit0" }
            .Select(n => TestNetDirectory.Relay(fx.Directory, fx.Named(n)))
            .Select(r => new RelayTarget(r.RsaIdentity, r.Ed25519Identity, r.NtorOnionKey, r.OrPort))
            .ToArray();
        await using var circuit = await fx.Builder.BuildAsync(path, Timeout());
        Assert.Equal([HandshakeType.Ntor, HandshakeType.Ntor, HandshakeType.Ntor], circuit.HopHandshakes);
        Assert.False(circuit.CongestionControlled);
        await using var stream = await circuit.OpenStreamAsync(fx.Network.HttpEndPoint, Timeout());
        Assert.False(stream.UsesXonXoff);
        var response = await HttpOverTor.GetAsync(stream, HttpHost, "/large", keepBody: false, cancellationToken: Timeout(300));
        Assert.Equal(fx.Network.Http.LargeSha256, response.Sha256);
    }

    [Fact]
    public async Task The_large_file_arrives_intact_and_vegas_runs_on_the_exits_sendmes()
    {
        await using var circuit = await fx.Builder.BuildAsync(fx.Path("auth0", "relay1", "exit1"), Timeout());
        Assert.True(circuit.CongestionControlled);
        await using var stream = await circuit.OpenStreamAsync(fx.Network.HttpEndPoint, Timeout());
        var clock = Stopwatch.StartNew();
        var response = await HttpOverTor.GetAsync(stream, HttpHost, "/large", keepBody: false, cancellationToken: Timeout(300));
        clock.Stop();
        Assert.Equal(fx.Network.Http.LargeSize, response.Length);
        Assert.Equal(fx.Network.Http.LargeSha256, response.Sha256);
        output.WriteLine($"download {response.Length / 1e6:0.0} MB in {clock.Elapsed.TotalSeconds:0.00} s = {response.Length / 1e6 / clock.Elapsed.TotalSeconds:0.0} MB/s");
        Assert.False(circuit.IsClosed);
    }

    [Fact]
    public async Task An_upload_arrives_intact_and_the_exits_sendmes_drive_the_window()
    {
        await using var circuit = await fx.Builder.BuildAsync(fx.Path("relay0", "auth1", "exit0"), Timeout());
        Assert.True(circuit.CongestionControlled);
        var initial = circuit.CongestionState!.Value.Cwnd;
        await using var stream = await circuit.OpenStreamAsync(fx.Network.HttpEndPoint, Timeout());
        const int size = 20 * 1024 * 1024;
        var body = new byte[size];
        new Random(324).NextBytes(body);
        var clock = Stopwatch.StartNew();
        var header = $"POST /upload HTTP/1.1\r\nHost: {HttpHost}\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(header), Timeout());
        for (var offset = 0; offset < size; offset += 64 * 1024)
            await stream.WriteAsync(body.AsMemory(offset, Math.Min(64 * 1024, size - offset)), Timeout(300));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var reply = await reader.ReadToEndAsync(Timeout(300));
        clock.Stop();
        var json = JsonDocument.Parse(reply[(reply.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]).RootElement;
        Assert.Equal(size, json.GetProperty("bytes").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), json.GetProperty("sha256").GetString());
        var state = circuit.CongestionState!.Value;
        output.WriteLine($"upload {size / 1e6:0.0} MB in {clock.Elapsed.TotalSeconds:0.00} s = {size / 1e6 / clock.Elapsed.TotalSeconds:0.0} MB/s; cwnd {initial} -> {state.Cwnd}, slow start {state.InSlowStart}, RTT {state.EwmaRttUsec} us, {state.Acks} SENDMEs");
        // Every cc_sendme_inc cells the exit acknowledged and Vegas saw an RTT sample.
        Assert.True(state.Acks >= size / RelayCell.MaxDataLength / circuit.CircuitSendmeIncrement - 2 * state.Cwnd / circuit.CircuitSendmeIncrement,
            $"{state.Acks} SENDMEs for {size / RelayCell.MaxDataLength} cells");
        Assert.True(state.EwmaRttUsec > 0);
        Assert.NotEqual(initial, state.Cwnd);
    }

    [Fact]
    public async Task A_slow_reader_sends_xoff_and_the_exit_stops_within_the_bounded_buffer()
    {
        await using var circuit = await fx.Builder.BuildAsync(fx.Path("auth2", "relay0", "exit1"), Timeout());
        Assert.True(circuit.CongestionControlled);
        await using var stream = await circuit.OpenStreamAsync(fx.Network.HttpEndPoint, Timeout());
        var request = $"GET /large HTTP/1.0\r\nHost: {HttpHost}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), Timeout());

        // Read nothing until the stream has buffered past its XOFF limit and said XOFF.
        var deadline = Stopwatch.StartNew();
        while (!stream.XoffSent && deadline.Elapsed < TimeSpan.FromSeconds(60) && !circuit.IsClosed)
            await Task.Delay(20);
        Assert.True(stream.XoffSent, $"no XOFF after {stream.BufferedBytes} bytes buffered");
        Assert.True(stream.BufferedBytes > circuit.XoffLimit);

        // Then read it all: the exit resumes after our XON, the body is intact, and at no point did the
        // buffer need more than its bound (the exit overrunning it would have closed the circuit).
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long total = 0, peak = 0;
        var headerSkipped = false;
        var pending = new MemoryStream();
        while (true)
        {
            peak = Math.Max(peak, stream.BufferedBytes);
            int n;
            try
            {
                n = await stream.ReadAsync(buffer, Timeout(30));
            }
            catch (OperationCanceledException)
            {
                output.WriteLine($"stalled: total {total}, buffered {stream.BufferedBytes}, xoffSent {stream.XoffSent}, paused {stream.SendingPaused}, closed {circuit.IsClosed}, cc {circuit.CongestionState}");
                throw;
            }
            if (n == 0)
                break;
            if (!headerSkipped)
            {
                pending.Write(buffer, 0, n);
                var all = pending.ToArray();
                var end = all.AsSpan().IndexOf("\r\n\r\n"u8);
                if (end < 0)
                    continue;
                headerSkipped = true;
                sha.AppendData(all, end + 4, all.Length - end - 4);
                total += all.Length - end - 4;
                continue;
            }
            sha.AppendData(buffer, 0, n);
            total += n;
        }
        output.WriteLine($"peak buffered {peak} bytes (XOFF limit {circuit.XoffLimit}); {total} bytes read");
        Assert.Equal(fx.Network.Http.LargeSize, total);
        Assert.Equal(fx.Network.Http.LargeSha256, Convert.ToHexStringLower(sha.GetCurrentHash()));
        Assert.True(peak <= circuit.XoffLimit + TorStream.XoffOverrunCells * RelayCell.MaxDataLength);
        Assert.True(peak < fx.Network.Http.LargeSize / 4, "the exit kept sending while the reader was paused");
        Assert.False(circuit.IsClosed);
    }
}
