using System.Runtime.InteropServices;

namespace Burrow.FdLimitChild;

[StructLayout(LayoutKind.Sequential)]
internal struct RLimit
{
    public ulong Current;
    public ulong Maximum;
}

internal static partial class Native
{
    /// <summary>Linux (x86-64 and arm64) resource number of the open-file limit.</summary>
    public const int RLIMIT_NOFILE = 7;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setrlimit(int resource, ref RLimit limit);
}
