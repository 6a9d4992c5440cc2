using System.Globalization;
using System.Text.RegularExpressions;

namespace Burrow.Core.Redirect;

/// <summary>
/// What a Burrow table's comment says about who made it: the network, the process id and that
/// process's start time (so a reused pid is not taken for the maker). A table without the owner flag
/// (old kernels) outlives a crash; the next start finds it by this mark and removes it when its maker is gone.
/// </summary>
internal sealed partial record BurrowTableMark(string Network, int Pid, ulong StartTime)
{
    public string ToComment() => string.Create(CultureInfo.InvariantCulture, $"burrow network={Network} pid={Pid} start={StartTime}");

    public static BurrowTableMark ForCurrentProcess(string network)
        => new(network, Environment.ProcessId, ProcessStartTime(Environment.ProcessId) ?? 0);

    public static bool TryParse(string? comment, out BurrowTableMark mark)
    {
        mark = new BurrowTableMark("", 0, 0);
        var m = comment is null ? null : CommentPattern().Match(comment);
        if (m is null || !m.Success)
            return false;
        mark = new BurrowTableMark(m.Groups[1].Value, int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), ulong.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));
        return true;
    }

    /// <summary>True while the process that made the table still runs (same pid, same start time).</summary>
    public bool MakerIsAlive() => ProcessStartTime(Pid) is { } start && (StartTime == 0 || start == StartTime);

    /// <summary>Field 22 of /proc/&lt;pid&gt;/stat (proc(5): starttime, clock ticks since boot); null when the process is gone.</summary>
    internal static ulong? ProcessStartTime(int pid)
    {
        string stat;
        try { stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat"); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        var rest = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return rest.Length > 19 && ulong.TryParse(rest[19], NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : null;
    }

    [GeneratedRegex(@"^burrow network=([A-Za-z0-9_.-]+) pid=([0-9]{1,10}) start=([0-9]{1,20})$")]
    private static partial Regex CommentPattern();
}
