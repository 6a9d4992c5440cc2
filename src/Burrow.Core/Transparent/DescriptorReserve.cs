using Microsoft.Win32.SafeHandles;

namespace Burrow.Core.Transparent;

/// <summary>
/// A few descriptors held open (on /dev/null) so that the listener never takes the process's last ones. When
/// accept fails with EMFILE the reserve is given back at once: the .NET runtime needs descriptors of its own (a new
/// thread opens a pipe), and without any it aborts the process (found by ListenerFdLimitTests). The listener accepts
/// again only once the reserve could be taken back, so the flows' sockets never eat into it.
/// </summary>
internal sealed class DescriptorReserve(int count) : IDisposable
{
    public const int DefaultCount = 32;

    private readonly SafeFileHandle?[] _handles = new SafeFileHandle?[count];

    public bool IsFull => Array.TrueForAll(_handles, h => h is not null);

    /// <summary>Opens what is missing; false when descriptors are still short (or /dev/null cannot be opened).</summary>
    public bool TryRefill()
    {
        for (var i = 0; i < _handles.Length; i++)
        {
            if (_handles[i] is not null)
                continue;
            try
            {
                _handles[i] = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.Read);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Closes every reserved descriptor.</summary>
    public void Release()
    {
        for (var i = 0; i < _handles.Length; i++)
        {
            _handles[i]?.Dispose();
            _handles[i] = null;
        }
    }

    public void Dispose() => Release();
}
