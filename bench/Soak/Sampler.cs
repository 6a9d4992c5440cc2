using System.Diagnostics;
using System.Globalization;
using Burrow.Core.Flows;

namespace Burrow.Soak;

/// <summary>Every 5 s: this process's RSS, open fds and threads (Burrow and the harness share it), Burrow's live
/// flows and the workers' counters, appended to samples.csv as they are taken.</summary>
internal sealed class Sampler(SoakStats stats, FlowTable flows, string csvPath)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<Sample> _rows = [];
    private readonly CancellationTokenSource _stop = new();
    private StreamWriter? _csv;
    private Task? _loop;

    public IReadOnlyList<Sample> Rows { get { lock (_rows) return _rows.ToArray(); } }

    public Sample Latest { get { lock (_rows) return _rows[^1]; } }

    public void Start()
    {
        _loop = LoopAsync(_stop.Token);
    }

    public Sample TakeNow(string why)
    {
        var s = new Sample(Math.Round(_clock.Elapsed.TotalSeconds, 1), stats.Done, stats.Failed, stats.Bytes, RssMb(), Fds(), Threads(), flows.LiveCount);
        lock (_rows)
        {
            _rows.Add(s);
            if (_csv == null)
            {
                _csv = new StreamWriter(csvPath) { AutoFlush = true };
                _csv.WriteLine(SampleCsv.Header);
            }
            _csv.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.TSeconds},{s.FlowsDone},{s.FlowsFailed},{s.Bytes},{s.RssMb:F1},{s.Fds},{s.Threads},{s.OpenFlows}"));
        }
        Program.Log($"{why}: t={s.TSeconds:F0}s done={s.FlowsDone} failed={s.FlowsFailed} {s.Bytes / 1e6:F0} MB rss={s.RssMb:F0} MB fds={s.Fds} threads={s.Threads} open={s.OpenFlows}");
        return s;
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop != null) await _loop;
        lock (_rows) _csv?.Dispose();
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
                TakeNow("sample");
        }
        catch (OperationCanceledException) { }
    }

    private static double RssMb() => StatusKb("VmRSS:") / 1024.0;

    private static int Threads() => (int)StatusKb("Threads:");

    private static int Fds() => Directory.GetFiles("/proc/self/fd").Length;

    private static long StatusKb(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        throw new InvalidDataException($"no {key} in /proc/self/status");
    }
}
