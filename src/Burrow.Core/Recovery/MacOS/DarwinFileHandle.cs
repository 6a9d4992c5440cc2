using Microsoft.Win32.SafeHandles;

namespace Burrow.Core.Recovery.MacOS;

/// <summary>
/// A file descriptor from <c>open(2)</c>. A SafeHandle so that a descriptor in use by an ioctl or a
/// blocking read is not closed (and its number reused) under it by a concurrent Dispose.
/// </summary>
internal sealed class DarwinFileHandle : SafeHandleMinusOneIsInvalid
{
    public DarwinFileHandle()
        : base(ownsHandle: true)
    {
    }

    public int Descriptor => (int)handle;

    protected override bool ReleaseHandle() => DarwinNative.Close((int)handle) == 0;
}
