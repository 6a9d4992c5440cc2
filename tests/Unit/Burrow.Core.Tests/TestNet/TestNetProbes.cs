using System.Diagnostics;

namespace Burrow.Core.Tests.TestNet;

/// <summary>What the testnet tests look at from outside: processes naming a run directory, listening ports.</summary>
internal static class TestNetProbes
{
    /// <summary>Pids of live processes with an argument naming dir or a path below it.</summary>
    public static List<int> ProcessesNaming(string dir)
    {
        var found = new List<int>();
        foreach (var proc in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out var pid))
                continue;
            string[] args;
            try
            {
                args = File.ReadAllText(Path.Combine(proc, "cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            if (args.Any(a => a == dir || a.StartsWith(dir + "/", StringComparison.Ordinal)))
                found.Add(pid);
        }
        return found;
    }

    /// <summary>Local ports of listening sockets as `ss` reports them (-ltn TCP, -lun UDP).</summary>
    /// <summary>Ports of listening sockets, from <c>ss -H</c> with <paramref name="flags"/> (e.g. -ltn, -lun).</summary>
    public static HashSet<int> ListeningPorts(string flags)
    {
        var psi = new ProcessStartInfo("ss", ["-H", flags]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        var ports = new HashSet<int>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var cols = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (cols.Length >= 4 && int.TryParse(cols[3][(cols[3].LastIndexOf(':') + 1)..], out var port))
                ports.Add(port);
        }
        return ports;
    }
}
