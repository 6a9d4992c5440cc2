using System.Diagnostics;

namespace Burrow.Core.Namespaces;

/// <summary>
/// How a command starts in its namespace so that nothing of it outlives the invocation, even on kill -9 of pwsh:
/// <c>setpriv --pdeathsig KILL</c> (util-linux) makes the launcher die with the namespace's thread that forked it;
/// <c>unshare --pid --fork --kill-child=KILL --mount-proc</c> runs the command as init of a PID namespace of its
/// own, which dies with the launcher, and when init dies the kernel kills every process left in that PID namespace
/// (a daemon the command left behind, a grandchild). So the network namespace loses its last process with it.
/// </summary>
internal static class ChildLauncher
{
    /// <summary>Where the launcher's tools are; throws <see cref="CommandNamespaceException"/> (<see cref="CommandNamespaceErrorKind.ToolMissing"/>) without them.</summary>
    public static (string Setpriv, string Unshare) FindTools()
    {
        var setpriv = ExecutableSearch.Find("setpriv");
        var unshare = ExecutableSearch.Find("unshare");
        if (setpriv is null || unshare is null)
            throw new CommandNamespaceException(CommandNamespaceErrorKind.ToolMissing,
                $"Invoke-BurrowCommand starts commands with util-linux's {(setpriv is null ? "setpriv" : "unshare")}, which is not installed; install util-linux (apt-get install util-linux)");
        return (setpriv, unshare);
    }

    /// <summary>The start info that runs <paramref name="file"/> with <paramref name="arguments"/> through the launcher.</summary>
    public static ProcessStartInfo Wrap(string file, IEnumerable<string> arguments)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        ArgumentNullException.ThrowIfNull(arguments);
        var (setpriv, unshare) = FindTools();
        var psi = new ProcessStartInfo(setpriv) { UseShellExecute = false };
        foreach (var a in (string[])["--pdeathsig", "KILL", "--", unshare, "--pid", "--fork", "--kill-child=KILL", "--mount-proc", "--", file])
            psi.ArgumentList.Add(a);
        foreach (var a in arguments)
            psi.ArgumentList.Add(a);
        return psi;
    }
}
