using System.Globalization;
using System.Text;
using Burrow.Core.Flows;
using Burrow.Tests;

namespace Burrow.Soak;

/// <summary>results.md and the verdict, computed from the counters and the samples.</summary>
internal sealed class SoakReport
{
    public required string Markdown { get; init; }
    public required IReadOnlyList<string> Problems { get; init; }
    public bool Passed => Problems.Count == 0;

    public static SoakReport Build(TestNetwork tn, TimeSpan duration, int workers, bool smoke, SoakStats stats, IReadOnlyList<Sample> rows,
        Sample start, Sample atLoadEnd, Sample end, long burrowStarted, long burrowEnded, IReadOnlyList<FlowInfo> leaked, EndKindTally kinds,
        string? plotProblem)
    {
        static string F(double v, string fmt = "F1") => v.ToString(fmt, CultureInfo.InvariantCulture);
        var warm = WarmUpSample(rows, start, duration) ?? atLoadEnd;
        var rssLimit = warm.RssMb * 1.10 + 20;
        // Judged after the drain and a forced GC: under load the heap holds garbage the GC has not collected
        // yet (and the tail of the run is dominated by the biggest transfers), which is not growth.
        var rssOk = end.RssMb <= rssLimit;
        const int FdSlack = 16;
        var fdOk = end.Fds <= start.Fds + FdSlack;
        var peakRss = rows.Max(r => r.RssMb);
        var peakFds = rows.Max(r => r.Fds);

        var problems = new List<string>();
        if (stats.Mismatches > 0) problems.Add($"{stats.Mismatches} flows with wrong bytes");
        if (stats.Failed > 0) problems.Add($"{stats.Failed} flows failed");
        if (leaked.Count > 0) problems.Add($"{leaked.Count} Burrow flows still live after every client closed");
        if (burrowStarted != burrowEnded) problems.Add($"Burrow started {burrowStarted} flows but ended {burrowEnded}");
        if (stats.Done == 0) problems.Add("no flow completed");
        // Growth needs a run long enough to have a warm-up; the 30 s smoke reports it but does not judge it.
        if (!smoke && !rssOk) problems.Add($"RSS grew after warm-up: {F(warm.RssMb)} MB -> {F(end.RssMb)} MB after the drain (limit {F(rssLimit)} MB)");
        if (!smoke && !fdOk) problems.Add($"fds did not come back: {start.Fds} at start, {end.Fds} at the end (limit +{FdSlack})");

        var sb = new StringBuilder();
        sb.AppendLine($"# Soak of the transparent path ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC){(smoke ? " - smoke" : "")}");
        sb.AppendLine();
        sb.AppendLine($"{workers} concurrent workers for {F(duration.TotalSeconds, "F0")} s, each looping HTTP/1.0 flows to the test server through an nft REDIRECT into Burrow (built-in Tor client, private network of {tn.Relays.Count} relays, C tor {tn.TorVersion}); /large = {tn.Http.LargeSize / 1048576} MiB. Produced by bench/soak.sh.");
        sb.AppendLine();
        sb.AppendLine($"**Verdict: {(problems.Count == 0 ? "PASS" : "FAIL")}** - {(rssOk && fdOk ? "no growth after warm-up" : "growth after warm-up")}; {(stats.Mismatches == 0 ? "0 bytes lost or changed" : stats.Mismatches + " flows with wrong bytes")}; {(leaked.Count == 0 && burrowStarted == burrowEnded ? "no leaked flow" : "leaked flows")}.");
        foreach (var p in problems) sb.AppendLine($"- {p}");
        sb.AppendLine();
        sb.AppendLine("| measure | value |");
        sb.AppendLine("| --- | ---: |");
        sb.AppendLine($"| flows completed, bytes checked | {stats.Done} ({string.Join(", ", stats.DoneByKind.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}"))}) |");
        sb.AppendLine($"| flows failed | {stats.Failed} |");
        sb.AppendLine($"| flows with wrong bytes | {stats.Mismatches} |");
        sb.AppendLine($"| body bytes moved (up + down) | {F(stats.Bytes / 1e9, "F2")} GB |");
        sb.AppendLine($"| mean rate | {F(stats.Bytes / 1e6 / Math.Max(1, atLoadEnd.TSeconds - start.TSeconds))} MB/s, {F(stats.Done / Math.Max(1, atLoadEnd.TSeconds - start.TSeconds))} flows/s |");
        sb.AppendLine($"| RSS start / after warm-up (t={F(warm.TSeconds, "F0")} s) / end of load / after drain + GC | {F(start.RssMb)} / {F(warm.RssMb)} / {F(atLoadEnd.RssMb)} / {F(end.RssMb)} MB (peak {F(peakRss)}; limit {F(rssLimit)}) |");
        sb.AppendLine($"| fds start / end (peak) | {start.Fds} / {end.Fds} ({peakFds}) |");
        sb.AppendLine($"| threads start / end | {start.Threads} / {end.Threads} |");
        sb.AppendLine($"| Burrow flows started / ended / live at the end | {burrowStarted} / {burrowEnded} / {leaked.Count} |");
        sb.AppendLine($"| Burrow end kinds (of {kinds.Counted} seen) | {string.Join(", ", kinds.Counts.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}"))} |");
        sb.AppendLine();
        sb.AppendLine(PlotLine(plotProblem));
        sb.AppendLine();
        sb.AppendLine("Failures by reason (client side):");
        sb.AppendLine();
        if (stats.FailuresByReason.IsEmpty) sb.AppendLine("- none");
        foreach (var (reason, n) in stats.FailuresByReason.OrderByDescending(k => k.Value)) sb.AppendLine($"- {reason}: {n}");
        sb.AppendLine();
        sb.AppendLine("Burrow flows that did not end Completed (a /large read in part is closed by the client with data unread, so it ends ClientError: expected):");
        sb.AppendLine();
        if (kinds.NotCompleted.Count == 0) sb.AppendLine("- none");
        foreach (var (reason, n) in kinds.NotCompleted.OrderByDescending(k => k.Value)) sb.AppendLine($"- {reason}: {n}");
        foreach (var f in leaked.Take(10)) sb.AppendLine($"- leaked: flow {f.Id} {f.State} age {F(f.Age.TotalSeconds, "F0")} s up {f.BytesUp} down {f.BytesDown}");
        sb.AppendLine();
        sb.AppendLine("Mix per flow: 55 % GET /small (SHA-256 against network.json), 30 % POST /upload of 1 KB..4 MB log-uniform random bytes (the server's sha256 and byte count against what was sent), 12 % GET /large read for 16 KB..8 MB log-uniform then closed (prefix SHA-256 against the testnet's large.bin), 3 % GET /large whole when it is at most 16 MiB (otherwise partial). A flow fails when no byte moves either way for 60 s (a stall); flows still running 240 s after the run's end are stopped and counted as failed.");
        sb.AppendLine("RSS, fds and threads are this whole process (Burrow and the harness share it) from /proc/self, sampled every 5 s into samples.csv. No growth after warm-up means RSS after the drain and a forced GC within 10 % + 20 MB of the value after warm-up, and fds after the drain within +16 of the start (Burrow may hold a few more channels to relays).");
        return new SoakReport { Markdown = sb.ToString(), Problems = problems };
    }

    /// <summary>Warm-up: the first fifth of the run, at most 60 s (circuits built, JIT tiered up, pools filled);
    /// the first sample at or past it, null when the run ended before.</summary>
    public static Sample? WarmUpSample(IReadOnlyList<Sample> rows, Sample start, TimeSpan duration)
    {
        var warmT = start.TSeconds + Math.Min(60, duration.TotalSeconds / 5);
        return rows.FirstOrDefault(r => r.TSeconds >= warmT);
    }

    /// <summary>results.md's line for the plot: the image, or why there is none.</summary>
    public static string PlotLine(string? plotProblem) => plotProblem == null
        ? $"![RSS, fds, open flows and cumulative completed/failed flows over time; dashed lines: end of warm-up, end of load]({SoakPlot.FileName})"
        : $"No plot: {SoakPlot.FileName} could not be rendered ({plotProblem}); samples.csv has the data (re-plot with `dotnet bench/Soak/bin/Release/net10.0/Burrow.Soak.dll --plot-only DIR`).";
}
