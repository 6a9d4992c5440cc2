// Soak of the transparent path: N concurrent workers loop HTTP flows (GET /small, GET /large in part or
// whole, POST /upload of random sizes) to the test HTTP server through an nft REDIRECT into Burrow, which
// runs in this process with its built-in Tor client, for a fixed time. Every flow's bytes are checked by
// SHA-256; process RSS, fds and threads are sampled every 5 s. Must run inside a network namespace made by
// build/in-namespace.sh: bench/soak.sh.
// Usage: Burrow.Soak <testnet dir> <out dir> [--seconds S] [--flows N] [--smoke]
//        Burrow.Soak --plot-only <dir> [--seconds S]   re-plots <dir>/samples.csv into <dir>/soak.png
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Burrow.Core.Configuration;
using Burrow.Core.Networks;
using Burrow.Tests;
using Burrow.Tor.Client;
using Burrow.Tor.NetDoc;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Soak;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--plot-only")
            return PlotOnly(args);
        if (args.Length < 2)
            return Usage("need <testnet dir> <out dir>");
        int seconds = 600, flows = 1000;
        var smoke = false;
        for (var i = 2; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out seconds) && seconds is >= 10 and <= 86_400:
                    i++;
                    break;
                case "--flows" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out flows) && flows is >= 1 and <= 10_000:
                    i++;
                    break;
                case "--smoke":
                    smoke = true;
                    break;
                default:
                    return Usage($"unknown or out-of-range argument '{args[i]}' (accepted: --seconds 10..86400, --flows 1..10000, --smoke)");
            }
        }
        var ns = Sh("ip", "netns identify").Trim();
        if (!ns.StartsWith("burrow-", StringComparison.Ordinal))
        {
            Console.Error.WriteLine("refusing to program nft outside a namespace made by build/in-namespace.sh");
            return 2;
        }
        var tn = PrivateTorNetwork.Load(args[0]);
        var outDir = Path.GetFullPath(args[1]);
        Directory.CreateDirectory(outDir);
        var work = Path.Combine(Path.GetTempPath(), "burrow-soak-" + Environment.ProcessId);
        Directory.CreateDirectory(work);
        try
        {
            var report = await RunAsync(tn, work, outDir, TimeSpan.FromSeconds(seconds), flows, smoke);
            Console.WriteLine(report.Markdown);
            File.WriteAllText(Path.Combine(outDir, "results.md"), report.Markdown);
            if (!report.Passed)
                Console.Error.WriteLine("soak FAILED: " + string.Join("; ", report.Problems));
            return report.Passed ? 0 : 1;
        }
        finally
        {
            try { Directory.Delete(work, true); } catch (IOException) { }
        }
    }

    private static int Usage(string why)
    {
        Console.Error.WriteLine($"Burrow.Soak: {why}\nusage: Burrow.Soak <testnet dir> <out dir> [--seconds S] [--flows N] [--smoke]\n       Burrow.Soak --plot-only <dir> [--seconds S]");
        return 2;
    }

    /// <summary>--plot-only DIR [--seconds S]: DIR/samples.csv to DIR/soak.png. The CSV does not say how long the
    /// load ran; --seconds does, else results.md's "for N s", else the plot has no markers.</summary>
    private static int PlotOnly(string[] args)
    {
        int? seconds = null;
        if (args.Length == 4 && args[2] == "--seconds" && int.TryParse(args[3], CultureInfo.InvariantCulture, out var s) && s is >= 10 and <= 86_400)
            seconds = s;
        else if (args.Length != 2)
            return Usage("--plot-only takes a directory and optionally --seconds 10..86400 (the run's load time, for the markers)");
        var dir = Path.GetFullPath(args[1]);
        var csv = Path.Combine(dir, "samples.csv");
        List<Sample> rows;
        try { rows = SampleCsv.Read(csv); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Console.Error.WriteLine($"Burrow.Soak: cannot read {csv}: {e.Message}");
            return 2;
        }
        seconds ??= SecondsFromResults(Path.Combine(dir, "results.md"));
        double? warmT = null, loadEndT = null;
        if (seconds is { } d)
        {
            var duration = TimeSpan.FromSeconds(d);
            warmT = SoakReport.WarmUpSample(rows, rows[0], duration)?.TSeconds;
            loadEndT = rows[0].TSeconds + d;
        }
        else
            Log("no --seconds and no \"for N s\" in results.md: plotting without the warm-up and end-of-load markers");
        var png = Path.Combine(dir, SoakPlot.FileName);
        if (!SoakPlot.TryWrite(rows, warmT, loadEndT, png, out var why))
        {
            Console.Error.WriteLine($"Burrow.Soak: could not render {png}: {why}");
            return 1;
        }
        Log($"wrote {png} ({rows.Count} samples{(seconds is { } x ? $", load {x} s" : "")})");
        return 0;
    }

    private static int? SecondsFromResults(string resultsMd)
    {
        if (!File.Exists(resultsMd)) return null;
        var m = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(resultsMd), @"concurrent workers for (\d+) s\b");
        return m.Success && int.TryParse(m.Groups[1].Value, CultureInfo.InvariantCulture, out var s) ? s : null;
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

    private static async Task<SoakReport> RunAsync(TestNetwork tn, string work, string outDir, TimeSpan duration, int workers, bool smoke)
    {
        Log($"soak: {workers} workers for {duration.TotalSeconds:F0} s against {tn.HttpEndPoint}{(smoke ? " (smoke)" : "")}");
        var network = BurrowNetworkFactory.Create("soak", Options(tn, work), NullLoggerFactory.Instance);
        using (var boot = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
            await network.StartAsync(null, boot.Token);
        Log($"Burrow listening on {network.ListenEndPoint}");
        try
        {
            using var nft = new Nft($"meta skuid != {tn.TorUid} ip daddr {tn.Http.Address} tcp dport {tn.Http.Port} counter redirect to :{network.ListenEndPoint!.Port}");
            var largeFile = Path.Combine(tn.Dir, "http", "large.bin");
            if (new FileInfo(largeFile).Length != tn.Http.LargeSize)
                throw new InvalidDataException($"{largeFile} is not {tn.Http.LargeSize} bytes; the testnet's /large is needed for partial reads");
            var stats = new SoakStats();
            var endKinds = new EndKindTally(network.Flows);
            var sampler = new Sampler(stats, network.Flows, Path.Combine(outDir, "samples.csv"));
            await using var _ = endKinds;
            GC.Collect();
            var start = sampler.TakeNow("start");
            sampler.Start();
            var load = new Workload(tn, largeFile, stats);
            await load.RunAsync(workers, duration, smoke ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(10));
            var atLoadEnd = sampler.Latest;
            Log($"workers done: {stats.Done} flows, {stats.Failed} failed, {stats.Bytes / 1e9:F2} GB");

            // Every client socket is closed now: Burrow's table must drain to zero live flows.
            var drain = Stopwatch.StartNew();
            while (network.Flows.LiveCount > 0 && drain.Elapsed < TimeSpan.FromSeconds(30))
                await Task.Delay(250);
            var leaked = network.Flows.Snapshot().Where(f => f.End is null).ToList();
            await Task.Delay(2000);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var end = sampler.TakeNow("end");
            await sampler.StopAsync();
            await endKinds.StopAsync();
            if (nft.Packets() == 0) throw new InvalidOperationException("the Burrow redirect counted no packets");
            var rows = sampler.Rows;
            var png = Path.Combine(outDir, SoakPlot.FileName);
            var warm = SoakReport.WarmUpSample(rows, start, duration);
            if (!SoakPlot.TryWrite(rows, warm?.TSeconds, start.TSeconds + duration.TotalSeconds, png, out var plotProblem))
                Log($"warning: no {SoakPlot.FileName}: {plotProblem}");
            return SoakReport.Build(tn, duration, workers, smoke, stats, rows, start, atLoadEnd, end, network.Flows.TotalStarted, network.Flows.TotalEnded, leaked, endKinds, plotProblem);
        }
        finally
        {
            await network.StopAsync();
            await network.DisposeAsync();
        }
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

    internal static void Log(string s) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {s}");
}
