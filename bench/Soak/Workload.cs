using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Burrow.Tests;

namespace Burrow.Soak;

/// <summary>
/// N workers, each looping flows until the time is up: plain TCP connects to the HTTP server (redirected into
/// Burrow by nft), HTTP/1.0 so each request is one flow. Mix: GET /small, POST /upload of 1 KB .. 4 MB
/// (log-uniform), GET /large read in part (then closed) or whole. Every body is hashed and compared.
/// </summary>
internal sealed class Workload(TestNetwork tn, string largeFile, SoakStats stats)
{
    private const int BufferSize = 16 * 1024;
    private const long FullLargeLimit = 16L * 1024 * 1024;
    /// <summary>A flow fails when no byte moves either way for this long (a stall), however long it runs: with
    /// 1,000 flows sharing a few MB/s a whole /large legitimately takes minutes.</summary>
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(60);
    /// <summary>Past the run's end every flow still running gets this long before the hard stop.</summary>
    private static readonly TimeSpan FlowTimeout = TimeSpan.FromSeconds(240);
    private readonly IPEndPoint _server = tn.HttpEndPoint;

    public async Task RunAsync(int workers, TimeSpan duration, TimeSpan rampUp)
    {
        var until = DateTime.UtcNow + duration;
        // Past this every flow still running is cancelled and counted as a failure: nothing waits forever.
        using var hard = new CancellationTokenSource(duration + FlowTimeout + TimeSpan.FromSeconds(30));
        var tasks = Enumerable.Range(0, workers).Select(i => Task.Run(() => WorkerAsync(i, workers, rampUp, until, hard.Token))).ToArray();
        await Task.WhenAll(tasks);
    }

    private async Task WorkerAsync(int index, int workers, TimeSpan rampUp, DateTime until, CancellationToken hard)
    {
        var rng = new Random(index * 7919 + 1);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            await Task.Delay(rampUp * index / workers, hard);
            while (DateTime.UtcNow < until && !hard.IsCancellationRequested)
            {
                var r = rng.NextDouble();
                string kind;
                Func<Stream, CancellationToken, Task<long>> flow;
                if (r < 0.55) { kind = "small"; flow = (s, ct) => GetAsync(s, "/small", tn.Http.SmallSize, tn.Http.SmallSha256, buffer, ct); }
                else if (r < 0.85)
                {
                    var size = LogUniform(rng, 1024, 4L * 1024 * 1024);
                    kind = "upload";
                    flow = (s, ct) => UploadAsync(s, size, rng, buffer, ct);
                }
                else if (r < 0.97 || tn.Http.LargeSize > FullLargeLimit)
                {
                    var n = LogUniform(rng, 16 * 1024, Math.Min(tn.Http.LargeSize, 8L * 1024 * 1024));
                    kind = "large-partial";
                    flow = (s, ct) => GetLargePrefixAsync(s, n, buffer, ct);
                }
                else { kind = "large-full"; flow = (s, ct) => GetAsync(s, "/large", tn.Http.LargeSize, tn.Http.LargeSha256, buffer, ct); }
                await OneFlowAsync(kind, flow, hard);
            }
        }
        catch (OperationCanceledException) when (hard.IsCancellationRequested) { }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    private async Task OneFlowAsync(string kind, Func<Stream, CancellationToken, Task<long>> flow, CancellationToken hard)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(hard);
        cts.CancelAfter(StallTimeout);
        try
        {
            using var tcp = new TcpClient(AddressFamily.InterNetwork) { NoDelay = true };
            await tcp.ConnectAsync(_server, cts.Token);
            // Every read or write that moves bytes pushes the stall deadline back.
            var bytes = await flow(new ProgressStream(tcp.GetStream(), () => cts.CancelAfter(StallTimeout)), cts.Token);
            stats.Succeeded(kind, bytes);
        }
        catch (ByteMismatchException e) { stats.Failure($"{kind}: bytes: {e.Message}", mismatch: true); }
        catch (OperationCanceledException) { stats.Failure($"{kind}: {(hard.IsCancellationRequested ? "still running at the run's hard stop" : $"stalled (no byte either way for {StallTimeout.TotalSeconds:0} s)")}", mismatch: false); }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            var socket = e as SocketException ?? e.InnerException as SocketException;
            stats.Failure($"{kind}: {e.GetType().Name}: {(socket != null ? socket.SocketErrorCode.ToString() : "io")}", mismatch: false);
        }
    }

    private static long LogUniform(Random rng, long min, long max) =>
        (long)Math.Round(Math.Exp(Math.Log(min) + rng.NextDouble() * (Math.Log(max) - Math.Log(min))));

    private async Task<long> GetAsync(Stream s, string path, long size, string sha256, byte[] buffer, CancellationToken ct)
    {
        await s.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.0\r\nHost: {tn.Http.HostName}\r\n\r\n"), ct);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var total = await ReadBodyAsync(s, buffer, long.MaxValue, (b, n) => hash.AppendData(b, 0, n), ct);
        if (total != size) throw new ByteMismatchException($"{path} size");
        if (Convert.ToHexStringLower(hash.GetHashAndReset()) != sha256) throw new ByteMismatchException($"{path} sha256");
        return total;
    }

    /// <summary>Reads the first <paramref name="n"/> body bytes of /large, compares them with the file's prefix, then closes mid-transfer.</summary>
    private async Task<long> GetLargePrefixAsync(Stream s, long n, byte[] buffer, CancellationToken ct)
    {
        await s.WriteAsync(Encoding.ASCII.GetBytes($"GET /large HTTP/1.0\r\nHost: {tn.Http.HostName}\r\n\r\n"), ct);
        using var got = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var total = await ReadBodyAsync(s, buffer, n, (b, k) => got.AppendData(b, 0, k), ct);
        if (total != n) throw new ByteMismatchException("/large prefix size");
        using var want = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var file = File.OpenHandle(largeFile))
        {
            var local = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                for (long off = 0; off < n;)
                {
                    var k = await RandomAccess.ReadAsync(file, local.AsMemory(0, (int)Math.Min(BufferSize, n - off)), off, ct);
                    if (k <= 0) throw new IOException("large.bin ended early");
                    want.AppendData(local, 0, k);
                    off += k;
                }
            }
            finally { ArrayPool<byte>.Shared.Return(local); }
        }
        if (!got.GetHashAndReset().AsSpan().SequenceEqual(want.GetHashAndReset())) throw new ByteMismatchException("/large prefix sha256");
        return total;
    }

    private async Task<long> UploadAsync(Stream s, long size, Random rng, byte[] buffer, CancellationToken ct)
    {
        await s.WriteAsync(Encoding.ASCII.GetBytes($"POST /upload HTTP/1.0\r\nHost: {tn.Http.HostName}\r\nContent-Length: {size}\r\n\r\n"), ct);
        using var sent = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (long off = 0; off < size;)
        {
            var k = (int)Math.Min(BufferSize, size - off);
            rng.NextBytes(buffer.AsSpan(0, k));
            sent.AppendData(buffer, 0, k);
            await s.WriteAsync(buffer.AsMemory(0, k), ct);
            off += k;
        }
        var answer = new MemoryStream();
        await ReadBodyAsync(s, buffer, 4096, (b, k) => answer.Write(b, 0, k), ct);
        using var json = JsonDocument.Parse(answer.ToArray());
        var sha = json.RootElement.GetProperty("sha256").GetString();
        var bytes = json.RootElement.GetProperty("bytes").GetInt64();
        if (bytes != size) throw new ByteMismatchException("/upload size at the server");
        if (sha != Convert.ToHexStringLower(sent.GetHashAndReset())) throw new ByteMismatchException("/upload sha256 at the server");
        return size + answer.Length;
    }

    /// <summary>Reads the status line and headers (200 required), then up to <paramref name="max"/> body bytes (to EOF when less).</summary>
    private static async Task<long> ReadBodyAsync(Stream s, byte[] buffer, long max, Action<byte[], int> body, CancellationToken ct)
    {
        var filled = 0;
        int headerEnd;
        while ((headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (filled == buffer.Length) throw new ByteMismatchException("response headers too long");
            var k = await s.ReadAsync(buffer.AsMemory(filled), ct);
            if (k == 0) throw new ByteMismatchException(filled == 0 ? "no response" : "response ended in the headers");
            filled += k;
        }
        var status = Encoding.ASCII.GetString(buffer, 0, Math.Min(12, headerEnd));
        if (!status.StartsWith("HTTP/1.", StringComparison.Ordinal) || status[9..12] != "200")
            throw new ByteMismatchException("status " + status[Math.Min(9, status.Length)..]);
        long total = 0;
        var rest = filled - (headerEnd + 4);
        if (rest > 0)
        {
            var take = (int)Math.Min(rest, max);
            Buffer.BlockCopy(buffer, headerEnd + 4, buffer, 0, take);
            body(buffer, take);
            total = take;
        }
        while (total < max)
        {
            var k = await s.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, max - total)), ct);
            if (k == 0) break;
            body(buffer, k);
            total += k;
        }
        return total;
    }
}

/// <summary>A stream that reports every read or write that moved bytes (the flow's stall clock).</summary>
internal sealed class ProgressStream(Stream inner, Action progressed) : Stream
{
    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        if (n > 0) progressed();
        return n;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken);
        progressed();
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
