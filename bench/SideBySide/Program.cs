// Side-by-side benchmark: Burrow's transparent listener with its built-in Tor client against the C tor
// client's TransPort, on the same private test network, one after the other (the nft redirect is
// swapped between them). Must run inside a network namespace made for it: bench/side-by-side.sh.
// Usage: Burrow.SideBySide <testnet dir> <results.md>
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Burrow.Core.Configuration;
using Burrow.Core.Flows;
using Burrow.Core.Networks;
using Burrow.Tests;
using Burrow.Tor.Client;
using Burrow.Tor.NetDoc;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.SideBySide;

internal static class Program
{
    private const int BulkRuns = 3;
    private const int TtfbRuns = 20;
    private const int IdleFlows = 1000;

    private static async Task<int> Main(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: Burrow.SideBySide <testnet dir> <results.md>");
            return 2;
        }
        var ns = Sh("ip", "netns identify").Trim();
        if (!ns.StartsWith("burrow-", StringComparison.Ordinal))
        {
            Console.Error.WriteLine("refusing to program nft outside a namespace made by build/in-namespace.sh");
            return 2;
        }
        var tn = PrivateTorNetwork.Load(args[0]);
        var work = Path.Combine(Path.GetTempPath(), "burrow-sidebyside-" + Environment.ProcessId);
        Directory.CreateDirectory(work);
        var r = new Results();
        try
        {
            await RunBurrowAsync(tn, work, r);
            await RunCTorAsync(tn, work, r);
        }
        finally
        {
            try { Directory.Delete(work, true); } catch (IOException) { }
        }
        var md = r.ToMarkdown(tn);
        Console.WriteLine(md);
        File.WriteAllText(args[1], md);
        return 0;
    }

    private static BurrowOptions Options(TestNetwork tn, string work) => new()
    {
        TcpStack = new TcpStackSection { Listen = IPEndPoint.Parse("127.0.0.1:0") },
        Arti = new ArtiSection
        {
            StateDir = Path.Combine(work, "state"),
            CacheDir = Path.Combine(work, "cache"),
            Authorities = tn.Authorities.Select(a => new DirAuthority(a.Nickname, a.V3ident)).ToList(),
            FallbackCaches = tn.Authorities.Select(a => new FallbackDir(a.Fingerprint, a.Ed25519Id, [new IPEndPoint(IPAddress.Parse(a.Address), a.OrPort)])).ToList(),
            Ipv4SubnetFamilyPrefix = 33,
        },
    };

    private static async Task<(BurrowNetwork Network, double Seconds)> StartBurrowAsync(TestNetwork tn, string work)
    {
        var network = BurrowNetworkFactory.Create("bench", Options(tn, work), NullLoggerFactory.Instance);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var sw = Stopwatch.StartNew();
        await network.StartAsync(null, cts.Token);
        return (network, sw.Elapsed.TotalSeconds);
    }

    private static async Task RunBurrowAsync(TestNetwork tn, string work, Results r)
    {
        Log("Burrow: cold bootstrap");
        var (cold, coldSeconds) = await StartBurrowAsync(tn, work);
        await cold.StopAsync();
        await cold.DisposeAsync();
        r.BootCold = coldSeconds;
        Log($"  cold {coldSeconds:F2} s; warm bootstrap (same cache_dir)");
        var (network, warmSeconds) = await StartBurrowAsync(tn, work);
        r.BootWarm = warmSeconds;
        Log($"  warm {warmSeconds:F2} s");
        try
        {
            using var nft = new Nft($"meta skuid != {tn.TorUid} ip daddr {tn.Http.Address} tcp dport {tn.Http.Port} counter redirect to :{network.ListenEndPoint!.Port}");
            var self = Process.GetCurrentProcess();
            var m = await MeasureAsync(tn, work, "Burrow",
                cpuSeconds: () => { self.Refresh(); return self.TotalProcessorTime.TotalSeconds; },
                rssKb: () => RssKb("self"),
                openFlows: () => network.Flows.Snapshot().Count(f => f.State == FlowState.Open));
            r.Burrow = m;
            if (nft.Packets() == 0) throw new InvalidOperationException("the Burrow redirect counted no packets");
        }
        finally
        {
            await network.StopAsync();
            await network.DisposeAsync();
        }
    }

    private static async Task RunCTorAsync(TestNetwork tn, string work, Results r)
    {
        using var nft = new Nft($"meta skuid != {tn.TorUid} ip daddr {tn.Http.Address} tcp dport {tn.Http.Port} counter redirect to :{tn.Client.TransPort}");
        var tck = double.Parse(Sh("getconf", "CLK_TCK").Trim(), CultureInfo.InvariantCulture);
        var pid = tn.Client.Pid.ToString(CultureInfo.InvariantCulture);
        using var control = await TorControl.OpenAsync(tn);
        var m = await MeasureAsync(tn, work, "C tor",
            cpuSeconds: () =>
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
                return (long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)) / tck;
            },
            rssKb: () => RssKb(pid),
            openFlows: control.SucceededStreams, describe: () => control.Last);
        r.CTor = m;
        if (nft.Packets() == 0) throw new InvalidOperationException("the C tor redirect counted no packets");
    }

    private static async Task<Measurement> MeasureAsync(TestNetwork tn, string work, string who, Func<double> cpuSeconds, Func<long> rssKb, Func<int>? openFlows, Func<string>? describe = null)
    {
        var m = new Measurement();
        var server = tn.HttpEndPoint;
        // One unmeasured fetch so both sides have a circuit ready.
        await TtfbAsync(server, tn);

        Log($"{who}: bulk 1 + {BulkRuns} x {tn.Http.LargeSize / 1e6:F0} MB with curl");
        var file = Path.Combine(work, "large.bin");
        var rates = new List<double>();
        double cpu = 0, mb = 0;
        // Run 0 is an unmeasured warm-up (for Burrow it carries the JIT's tier-up of the hot paths).
        for (var i = -1; i < BulkRuns; i++)
        {
            var before = cpuSeconds();
            var o = Sh("curl", $"-s --http1.0 --max-time 300 -o {file} -w \"%{{size_download}} %{{time_total}}\" http://{server}/large").Trim().Split(' ');
            var after = cpuSeconds();
            var size = long.Parse(o[0], CultureInfo.InvariantCulture);
            var secs = double.Parse(o[1], CultureInfo.InvariantCulture);
            using (var fs = File.OpenRead(file))
            {
                var sha = Convert.ToHexStringLower(SHA256.HashData(fs));
                if (size != tn.Http.LargeSize || sha != tn.Http.LargeSha256)
                    throw new InvalidDataException($"{who}: /large came back as {size} bytes, sha256 {sha}");
            }
            if (i < 0)
            {
                Log($"  warm-up {size / 1e6 / secs:F1} MB/s, {(after - before) * 1000:F0} ms CPU");
                continue;
            }
            rates.Add(size / 1e6 / secs);
            cpu += after - before;
            mb += size / 1e6;
            Log($"  {size / 1e6 / secs:F1} MB/s, {(after - before) * 1000:F0} ms CPU");
        }
        File.Delete(file);
        m.BulkMBps = Median(rates);
        m.CpuMsPerMB = cpu * 1000 / mb;

        Log($"{who}: time to first byte, {TtfbRuns} new flows");
        var ttfb = new List<double>();
        for (var i = 0; i < TtfbRuns; i++)
            ttfb.Add(await TtfbAsync(server, tn));
        ttfb.Sort();
        m.TtfbP50 = Percentile(ttfb, 0.5);
        m.TtfbP90 = Percentile(ttfb, 0.9);
        Log($"  p50 {m.TtfbP50:F1} ms, p90 {m.TtfbP90:F1} ms");

        Log($"{who}: {IdleFlows} idle flows");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        await Task.Delay(1000);
        var rssBefore = rssKb();
        var sockets = new List<Socket>();
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            using var gate = new SemaphoreSlim(50);
            var tasks = Enumerable.Range(0, IdleFlows).Select(async _ =>
            {
                await gate.WaitAsync(cts.Token);
                try
                {
                    var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    lock (sockets) sockets.Add(s);
                    await s.ConnectAsync(server, cts.Token);
                }
                finally { gate.Release(); }
            });
            await Task.WhenAll(tasks);
            var sw = Stopwatch.StartNew();
            if (openFlows != null)
            {
                int open;
                while ((open = openFlows()) < IdleFlows)
                {
                    if (sw.Elapsed > TimeSpan.FromSeconds(30))
                    {
                        Log($"  only {open} of {IdleFlows} flows open after 30 s ({describe?.Invoke()})");
                        break;
                    }
                    await Task.Delay(200);
                }
                if (open >= IdleFlows) Log($"  {IdleFlows} flows open after {sw.Elapsed.TotalSeconds:F1} s");
            }
            await Task.Delay(2000);
            m.OpenAtReading = openFlows?.Invoke() ?? -1;
            m.RssBeforeMB = rssBefore / 1024.0;
            m.IdleRssDeltaMB = (rssKb() - rssBefore) / 1024.0;
            Log($"  RSS {rssBefore / 1024.0:F1} MB -> +{m.IdleRssDeltaMB:F1} MB");
        }
        finally
        {
            lock (sockets)
                foreach (var s in sockets) s.Dispose();
        }
        await Task.Delay(3000);
        return m;
    }

    /// <summary>Milliseconds from connect start to the first response byte of GET /small on a new connection.</summary>
    private static async Task<double> TtfbAsync(IPEndPoint server, TestNetwork tn)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var sw = Stopwatch.StartNew();
        await s.ConnectAsync(server, cts.Token);
        await s.SendAsync(Encoding.ASCII.GetBytes($"GET /small HTTP/1.0\r\nHost: {server}\r\n\r\n"), cts.Token);
        var buf = new byte[64 * 1024];
        var n = await s.ReceiveAsync(buf, cts.Token);
        var ms = sw.Elapsed.TotalMilliseconds;
        if (n <= 0) throw new IOException("no answer to GET /small");
        long total = n;
        while ((n = await s.ReceiveAsync(buf, cts.Token)) > 0) total += n;
        if (total < tn.Http.SmallSize) throw new IOException($"GET /small: only {total} bytes");
        return ms;
    }

    private static double Median(List<double> v) { var s = v.Order().ToList(); return Percentile(s, 0.5); }

    /// <summary>Linear interpolation between closest ranks of a sorted list.</summary>
    private static double Percentile(List<double> sorted, double p)
    {
        var x = p * (sorted.Count - 1);
        var lo = (int)Math.Floor(x);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (x - lo);
    }

    private static long RssKb(string pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        throw new InvalidDataException($"no VmRSS in /proc/{pid}/status");
    }

    internal static string Sh(string file, string args, string? stdin = null)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin != null };
        using var p = Process.Start(psi)!;
        if (stdin != null) { p.StandardInput.Write(stdin); p.StandardInput.Close(); }
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {args} failed ({p.ExitCode}): {err.Result}{output}");
        return output;
    }

    private static void Log(string s) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {s}");
}

internal sealed class Measurement
{
    public int OpenAtReading;
    public double BulkMBps, CpuMsPerMB, TtfbP50, TtfbP90, RssBeforeMB, IdleRssDeltaMB;
}

internal sealed class Results
{
    public double BootCold, BootWarm;
    public Measurement Burrow = new(), CTor = new();

    public string ToMarkdown(TestNetwork tn)
    {
        static string F(double v, string fmt) => v.ToString(fmt, CultureInfo.InvariantCulture);
        static string Ratio(double a, double b) => b == 0 ? "n/a" : F(a / b, "F2") + "x";
        var sb = new StringBuilder();
        sb.AppendLine($"# Side by side: Burrow vs the C tor client ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        sb.AppendLine();
        var delay = Environment.GetEnvironmentVariable("BURROW_BENCH_LINK_DELAY_MS") is { Length: > 0 } d && d != "0"
            ? $" Every relay link costs {d} ms each way (a 3-hop round trip is {int.Parse(d) * 6} ms): `--link-delay-ms {d}`." : "";
        sb.AppendLine($"Private network of {tn.Relays.Count} relays on loopback (C tor {tn.TorVersion}), both clients through an nft REDIRECT in a namespace; /large = {tn.Http.LargeSize / 1e6:F0} MB.{delay} Produced by bench/side-by-side.sh.");
        sb.AppendLine();
        sb.AppendLine("| measure | Burrow | C tor (TransPort) | Burrow / C tor |");
        sb.AppendLine("| --- | ---: | ---: | ---: |");
        sb.AppendLine($"| bulk throughput, median of {3} x /large (MB/s, higher is better) | {F(Burrow.BulkMBps, "F1")} | {F(CTor.BulkMBps, "F1")} | {Ratio(Burrow.BulkMBps, CTor.BulkMBps)} |");
        sb.AppendLine($"| time to first byte of a new flow, p50 (ms) | {F(Burrow.TtfbP50, "F1")} | {F(CTor.TtfbP50, "F1")} | {Ratio(Burrow.TtfbP50, CTor.TtfbP50)} |");
        sb.AppendLine($"| time to first byte of a new flow, p90 (ms) | {F(Burrow.TtfbP90, "F1")} | {F(CTor.TtfbP90, "F1")} | {Ratio(Burrow.TtfbP90, CTor.TtfbP90)} |");
        sb.AppendLine($"| client CPU per MB during bulk (ms/MB) | {F(Burrow.CpuMsPerMB, "F1")} | {F(CTor.CpuMsPerMB, "F1")} | {Ratio(Burrow.CpuMsPerMB, CTor.CpuMsPerMB)} |");
        sb.AppendLine($"| bootstrap, warm cache (s) | {F(BootWarm, "F2")} | 2.1 (TESTNET.md, late-started client) | {Ratio(BootWarm, 2.1)} |");
        sb.AppendLine($"| bootstrap, cold (s) | {F(BootCold, "F2")} | | |");
        sb.AppendLine($"| RSS before the idle flows (MB) | {F(Burrow.RssBeforeMB, "F1")} | {F(CTor.RssBeforeMB, "F1")} | {Ratio(Burrow.RssBeforeMB, CTor.RssBeforeMB)} |");
        sb.AppendLine($"| idle flows open at the reading | {Burrow.OpenAtReading} | {CTor.OpenAtReading} | |");
        sb.AppendLine($"| RSS growth per 1,000 idle flows (MB) | {F(Burrow.IdleRssDeltaMB, "F1")} | {F(CTor.IdleRssDeltaMB, "F1")} | {Ratio(Burrow.IdleRssDeltaMB, CTor.IdleRssDeltaMB)} |");
        sb.AppendLine();
        sb.AppendLine("Notes: bulk fetches run with curl (HTTP/1.0) as a separate process, after one unmeasured warm-up fetch, so the CPU figures are the client's own, steady state");
        sb.AppendLine("(Burrow: this process's TotalProcessorTime, which also holds the idle harness; C tor: utime+stime of client.pid).");
        sb.AppendLine("Time to first byte is measured in-process from connect start to the first byte of GET /small, after one unmeasured warm-up fetch.");
        sb.AppendLine("Burrow's RSS is the whole .NET process (harness included, after a forced GC); its idle flows are counted open in its flow table");
        sb.AppendLine("before the reading; C tor's are counted as SUCCEEDED streams (control port, GETINFO stream-status). Both readings 2 s after that.");
        return sb.ToString();
    }
}

/// <summary>The C tor client's control port, for its stream count (cookie authentication).</summary>
internal sealed class TorControl : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly StreamReader _reader;
    private readonly StreamWriter _writer;

    private TorControl(TcpClient tcp)
    {
        _tcp = tcp;
        var stream = tcp.GetStream();
        _reader = new StreamReader(stream, Encoding.ASCII);
        _writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
    }

    public static async Task<TorControl> OpenAsync(TestNetwork tn)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(tn.ControlEndPoint);
        var c = new TorControl(tcp);
        var cookie = Convert.ToHexString(File.ReadAllBytes(tn.Client.ControlCookieFile));
        var reply = c.Command("AUTHENTICATE " + cookie);
        if (!reply[^1].StartsWith("250", StringComparison.Ordinal))
            throw new InvalidOperationException("tor control: " + string.Join(" | ", reply));
        return c;
    }

    /// <summary>Streams the client holds open (SUCCEEDED in GETINFO stream-status).</summary>
    public int SucceededStreams()
    {
        var reply = Command("GETINFO stream-status");
        Last = string.Join(", ", reply.Select(l => l.Split(' ')).Where(f => f.Length >= 4 && !f[0].StartsWith("250", StringComparison.Ordinal))
            .GroupBy(f => f[1]).Select(g => $"{g.Key} {g.Count()}"));
        if (Last.Length == 0) Last = string.Join(" | ", reply.Take(3));
        return reply.Count(l => l.Contains(" SUCCEEDED ", StringComparison.Ordinal));
    }

    /// <summary>Stream states of the last reply, for the log.</summary>
    public string Last { get; private set; } = "";

    private List<string> Command(string line)
    {
        _writer.WriteLine(line);
        var lines = new List<string>();
        while (true)
        {
            var l = _reader.ReadLine() ?? throw new IOException("tor control connection closed");
            lines.Add(l);
            // "NNN+" opens a data block that ends with "."; a final reply line is "NNN "; "NNN-" continues.
            if (l.Length >= 4 && l[3] == '+')
            {
                string d;
                while ((d = _reader.ReadLine() ?? throw new IOException("tor control connection closed")) != ".")
                    lines.Add(d);
            }
            else if (l.Length >= 4 && l[3] == ' ')
                return lines;
        }
    }

    public void Dispose() => _tcp.Dispose();
}

/// <summary>An nft table with one nat output chain, deleted on dispose (only inside the bench namespace).</summary>
internal sealed class Nft : IDisposable
{
    private readonly string _name = "burrow_bench_" + Guid.NewGuid().ToString("N")[..8];

    public Nft(string rule) =>
        Program.Sh("nft", "-f -", $"table ip {_name} {{\n chain out {{\n  type nat hook output priority -100; policy accept;\n  {rule}\n }}\n}}\n");

    public long Packets() =>
        System.Text.RegularExpressions.Regex.Matches(Program.Sh("nft", $"list table ip {_name}"), @"counter packets (\d+)").Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    public void Dispose()
    {
        try { Program.Sh("nft", $"delete table ip {_name}"); } catch (InvalidOperationException) { }
    }
}
