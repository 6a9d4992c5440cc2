using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Burrow.Core.Namespaces;

/// <summary>
/// A dedicated OS thread that lives in a network namespace (and a private mount namespace) of its own,
/// made with unshare(2) on that thread only: the rest of the process stays in the host's namespaces.
/// Sockets it creates, and children it forks, live in the new namespace; the namespace ends when the
/// last of them and this thread are gone (no /run/netns entry: nothing to leak on kill -9).
/// </summary>
/// <remarks>
/// A thread a thread creates inherits its namespaces. So work run here must never create threads or touch
/// the thread pool (a Task continuation, Task.Run, a pool worker it would spawn): each work item is
/// synchronous (create a socket, fork a child, run an nft command) and reports back through a plain wait
/// handle, and all async serving of those sockets happens on the host's threads.
/// </remarks>
internal sealed class NamespaceThread : IDisposable
{
    private static readonly TimeSpan WorkTimeout = TimeSpan.FromSeconds(30);
    private readonly Queue<WorkItem> _queue = new();
    private readonly object _gate = new();
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _entered = new();
    private Exception? _enterError;
    private bool _closing;

    private NamespaceThread(string name, string resolvConf)
    {
        _thread = new Thread(() => Run(resolvConf))
        {
            IsBackground = true,
            Name = name,
        };
    }

    /// <summary>Starts the thread and makes its namespaces: loopback up, a default route into a void,
    /// <c>/etc/resolv.conf</c> showing <paramref name="resolvConf"/>. Blocks until done (bounded).</summary>
    public static NamespaceThread Start(string name, string resolvConf, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
            throw new CommandNamespaceException(CommandNamespaceErrorKind.NotSupported, "Invoke-BurrowCommand needs Linux network namespaces; this system has none");
        var t = new NamespaceThread(name, resolvConf);
        t._thread.Start();
        try
        {
            if (!t._entered.Wait(WorkTimeout, cancellationToken))
                throw new CommandNamespaceException(CommandNamespaceErrorKind.SetupFailed, $"the namespace was not set up within {WorkTimeout.TotalSeconds} s");
        }
        catch
        {
            t.Dispose();
            throw;
        }
        if (t._enterError is { } e)
        {
            t.Dispose();
            if (e is CommandNamespaceException)
                throw e;
            throw new CommandNamespaceException(CommandNamespaceErrorKind.SetupFailed, "setting up the namespace failed: " + e.Message, e);
        }
        return t;
    }

    /// <summary>Runs <paramref name="work"/> on the namespace's thread and returns its result (or throws its exception).
    /// The work must be synchronous and must not start tasks or threads (see the remarks on the type).</summary>
    public T Invoke<T>(Func<T> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var item = new WorkItem(() => work()!);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closing, this);
            _queue.Enqueue(item);
            Monitor.PulseAll(_gate);
        }
        if (!item.Done.Wait(WorkTimeout, cancellationToken))
            throw new CommandNamespaceException(CommandNamespaceErrorKind.SetupFailed, $"the namespace's thread did not answer within {WorkTimeout.TotalSeconds} s");
        if (item.Error is { } e)
            throw e;
        return (T)item.Result!;
    }

    private void Run(string resolvConf)
    {
        try
        {
            Enter(resolvConf);
        }
        catch (Exception e)
        {
            _enterError = e;
            _entered.Set();
            return;
        }
        _entered.Set();
        while (true)
        {
            WorkItem item;
            lock (_gate)
            {
                while (_queue.Count == 0 && !_closing)
                    Monitor.Wait(_gate);
                if (_queue.Count == 0)
                    return;
                item = _queue.Dequeue();
            }
            try { item.Result = item.Work(); }
            catch (Exception e) { item.Error = e; }
            item.Done.Set();
        }
    }

    private static void Enter(string resolvConf)
    {
        if (NamespaceNative.Unshare(NamespaceNative.CloneNewNet | NamespaceNative.CloneNewNs) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno == NamespaceNative.Eperm
                ? new CommandNamespaceException(CommandNamespaceErrorKind.NotPermitted,
                    "Invoke-BurrowCommand makes a network namespace for the command: that needs root or CAP_SYS_ADMIN (and CAP_NET_ADMIN for its rules); run pwsh as root (sudo)")
                : new CommandNamespaceException(CommandNamespaceErrorKind.SetupFailed, $"unshare(CLONE_NEWNET|CLONE_NEWNS) failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        // Nothing mounted here may show on the host: this mount namespace stops propagation both ways.
        if (NamespaceNative.Mount(null, "/", null, NamespaceNative.MsRec | NamespaceNative.MsPrivate, 0) != 0)
            throw MountFailed("making / private (mount --make-rprivate /)");
        RunIp();
        BindResolvConf(resolvConf);
    }

    /// <summary>
    /// Loopback up; a veth pair with both ends in this namespace, the default routes (IPv4 and IPv6) into it and no
    /// neighbour behind it: a packet no rule catches goes nowhere. A blackhole route would fail connect() before the
    /// nat output hook could redirect it; a dummy link needs a module not every kernel has (build/in-namespace.sh).
    /// </summary>
    private static void RunIp()
    {
        var ip = ExecutableSearch.Find("ip") ?? throw new CommandNamespaceException(CommandNamespaceErrorKind.ToolMissing,
            "the 'ip' command (iproute2) is needed to set up the command's namespace; install it (apt-get install iproute2)");
        var script = Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"burrow-ns-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}.ip"));
        File.WriteAllText(script, string.Join('\n',
            "link set lo up",
            "link add burrow-void type veth peer name burrow-sink",
            // No IPv6 link-local addresses on the pair, and the IPv6 source address on loopback: no DAD, router
            // solicitation or MLD report that the fail-closed filter would drop and count as if the command sent it.
            "link set burrow-void addrgenmode none",
            "link set burrow-sink addrgenmode none",
            "link set burrow-void up",
            "link set burrow-sink up",
            "addr add 192.0.2.1/32 dev burrow-void",
            "addr add fd00:b0::1/128 dev lo nodad",
            "route add default dev burrow-void",
            "route add ::/0 dev burrow-void",
            ""));
        try
        {
            // Forked from this thread: the child runs in this thread's namespaces.
            var psi = new ProcessStartInfo(ip) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            psi.ArgumentList.Add("-batch");
            psi.ArgumentList.Add(script);
            using var p = Process.Start(psi)!;
            var error = p.StandardError.ReadToEnd();
            p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(10_000))
            {
                p.Kill();
                throw new CommandNamespaceException(CommandNamespaceErrorKind.SetupFailed, "'ip -batch' did not finish within 10 s");
            }
            if (p.ExitCode != 0)
                throw error.Contains("Operation not permitted", StringComparison.Ordinal)
                    ? new CommandNamespaceException(CommandNamespaceErrorKind.NotPermitted,
                        $"setting up the command's namespace needs CAP_NET_ADMIN (run pwsh as root): ip said: {error.Trim()}")
                    : new CommandNamespaceException(CommandNamespaceErrorKind.SetupFailed, $"setting up the namespace's links and routes failed (ip exit code {p.ExitCode}): {error.Trim()}");
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>The child's /etc/resolv.conf: a file of ours bind-mounted over it in this private mount namespace.
    /// The source file is removed at once (the mount holds it), so nothing of it is left on the host's disk.</summary>
    private static void BindResolvConf(string content)
    {
        const string target = "/etc/resolv.conf";
        if (!File.Exists(target))
            return; // no resolv.conf (or a dangling link): the C library asks 127.0.0.1, where Burrow's DNS listens anyway
        var source = Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"burrow-resolv-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}.conf"));
        File.WriteAllText(source, content);
        try
        {
            if (NamespaceNative.Mount(source, target, null, NamespaceNative.MsBind, 0) != 0)
                throw MountFailed($"bind-mounting the command's resolv.conf over {target}");
        }
        finally
        {
            File.Delete(source);
        }
    }

    private static CommandNamespaceException MountFailed(string what)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new CommandNamespaceException(errno == NamespaceNative.Eperm ? CommandNamespaceErrorKind.NotPermitted : CommandNamespaceErrorKind.SetupFailed,
            $"{what} failed: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>Ends the thread once queued work is done; the namespace goes with its last socket and child.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_closing)
                return;
            _closing = true;
            Monitor.PulseAll(_gate);
        }
        if (_thread.IsAlive && Thread.CurrentThread != _thread)
            _thread.Join(WorkTimeout);
        _entered.Dispose();
    }

    // Never disposed: a caller that gave up waiting may leave the item to finish later, and an unused
    // ManualResetEventSlim holds no kernel handle.
    private sealed class WorkItem(Func<object> work)
    {
        public Func<object> Work { get; } = work;
        public ManualResetEventSlim Done { get; } = new();
        public object? Result { get; set; }
        public Exception? Error { get; set; }
    }
}
