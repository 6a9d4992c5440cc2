// unshare(2) and mount(2) from libc; the flags of <sched.h> and <sys/mount.h>.
using System.Runtime.InteropServices;

namespace Burrow.Core.Namespaces;

internal static partial class NamespaceNative
{
    public const int CloneNewNs = 0x00020000;
    public const int CloneNewNet = 0x40000000;

    public const ulong MsBind = 4096;
    public const ulong MsRec = 16384;
    public const ulong MsPrivate = 1UL << 18;

    public const int Eperm = 1;
    public const int Enoent = 2;
    public const int Einval = 22;

    /// <summary>Moves the calling thread (only it) into new namespaces; 0 on success, -1 with errno.</summary>
    [LibraryImport("libc", EntryPoint = "unshare", SetLastError = true)]
    public static partial int Unshare(int flags);

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string? source, string target, string? fileSystemType, ulong flags, nint data);
}
