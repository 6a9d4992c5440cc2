using System.Diagnostics;

namespace Burrow.Tor.Tests.Integration;

/// <summary>Signals to relays of a network a test started itself, always after checking that the PID still
/// belongs to that network's folder (PIDs get reused).</summary>
internal static class RelayProcesses
{
    /// <summary>SIGKILL, then waits (bounded) for the process to be gone.</summary>
    public static void Kill(string networkDir, int pid, string nickname)
    {
        AssertOwned(networkDir, pid);
        using var process = Process.GetProcessById(pid);
        process.Kill();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)), $"{nickname} (pid {pid}) did not die");
    }

    public static void AssertOwned(string networkDir, int pid) =>
        Assert.Contains(networkDir, File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' '));
}
