using System.Diagnostics;

namespace Burrow.Tor.Tests.Integration;

/// <summary>
/// A small tmpfs (read-only or size-limited) mounted in a mount namespace private to this test: a child
/// `unshare --mount --propagation private` mounts it over an empty temp folder and sleeps; this process reaches the
/// mount through /proc/CHILD/root, so nothing is ever mounted in the host's namespace. Dispose kills the child
/// (its namespace and mount go with it) and removes the folder.
/// </summary>
internal sealed class PrivateMount : IDisposable
{
    private readonly Process _child;
    private readonly string _mountPoint;

    /// <param name="sizeKib">tmpfs size; a write past it fails with ENOSPC.</param>
    /// <param name="readOnly">remount read-only after creating <paramref name="folders"/>: EROFS even for root.</param>
    /// <param name="folders">subfolders made before a read-only remount.</param>
    public PrivateMount(int sizeKib, bool readOnly, params string[] folders)
    {
        _mountPoint = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "burrow-mount-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_mountPoint);
        var mkdirs = string.Join(" && ", folders.Select(f => $"mkdir -p '{_mountPoint}/{f}'").DefaultIfEmpty("true"));
        var script = $"mount -t tmpfs -o size={sizeKib}k,mode=0755 burrow-test '{_mountPoint}' && {mkdirs}"
            + (readOnly ? $" && mount -o remount,ro '{_mountPoint}'" : "")
            + " && echo ready && exec sleep 600";
        var start = new ProcessStartInfo("unshare", ["--mount", "--propagation", "private", "sh", "-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _child = Process.Start(start) ?? throw new InvalidOperationException("unshare did not start");
        var ready = _child.StandardOutput.ReadLineAsync().AsTask();
        if (!ready.Wait(TimeSpan.FromSeconds(20)) || ready.Result != "ready")
        {
            var error = _child.HasExited ? _child.StandardError.ReadToEnd() : "no answer in 20 s";
            Dispose();
            throw new InvalidOperationException($"could not mount a private tmpfs: {error}");
        }
        // unshare and sh exec'd into sleep: the child's pid is the process holding the namespace.
        Path = $"/proc/{_child.Id}/root{_mountPoint}";
    }

    /// <summary>The mount as this process reaches it.</summary>
    public string Path { get; }

    public string Sub(string folder) => System.IO.Path.Combine(Path, folder);

    public void Dispose()
    {
        try
        {
            if (!_child.HasExited)
                _child.Kill(entireProcessTree: true);
            _child.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
        }
        _child.Dispose();
        try
        {
            Directory.Delete(_mountPoint, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
