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

    private PrivateMount(Process child, string mountPoint)
    {
        _child = child;
        _mountPoint = mountPoint;
        // unshare and sh exec'd into sleep: the child's pid is the process holding the namespace.
        Path = $"/proc/{child.Id}/root{mountPoint}";
    }

    /// <param name="sizeKib">tmpfs size; a write past it fails with ENOSPC.</param>
    /// <param name="readOnly">remount read-only after creating <paramref name="folders"/>: EROFS even for root.</param>
    /// <param name="folders">subfolders made before a read-only remount.</param>
    public static async Task<PrivateMount> StartAsync(int sizeKib, bool readOnly, params string[] folders)
    {
        var mountPoint = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "burrow-mount-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mountPoint);
        var mkdirs = string.Join(" && ", folders.Select(f => $"mkdir -p '{mountPoint}/{f}'").DefaultIfEmpty("true"));
        var script = $"mount -t tmpfs -o size={sizeKib}k,mode=0755 burrow-test '{mountPoint}' && {mkdirs}"
            + (readOnly ? $" && mount -o remount,ro '{mountPoint}'" : "")
            + " && echo ready && exec sleep 600";
        var start = new ProcessStartInfo("unshare", ["--mount", "--propagation", "private", "sh", "-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var mount = new PrivateMount(Process.Start(start) ?? throw new InvalidOperationException("unshare did not start"), mountPoint);
        string? line;
        try
        {
            line = await mount._child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            line = null;
        }
        if (line != "ready")
        {
            var error = mount._child.HasExited ? await mount._child.StandardError.ReadToEndAsync() : "no answer in 20 s";
            mount.Dispose();
            throw new InvalidOperationException($"could not mount a private tmpfs: {error}");
        }
        return mount;
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
