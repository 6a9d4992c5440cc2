using System.Runtime.InteropServices;

namespace Burrow.Core.Recovery.MacOS;

/// <summary>
/// The libc calls the macOS recovery needs: open, close, read, ioctl. Deliberately thin: every
/// decision lives in managed code that is tested on Linux. Constants were read from the xnu
/// headers and have not yet been run on a real Mac.
/// </summary>
internal static unsafe partial class DarwinNative
{
    // "libc" resolves to libc.dylib (part of libSystem) on macOS.
    private const string Libc = "libc";

    public const int ORdOnly = 0x0000;

    // macOS O_CLOEXEC (bsd/sys/fcntl.h); keeps the descriptors out of processes pwsh starts.
    public const int OCloExec = 0x0100_0000;

    public static DarwinFileHandle Open(string path, int flags, out int errno)
    {
        var handle = OpenNative(path, flags);
        errno = handle.IsInvalid ? Marshal.GetLastPInvokeError() : 0;
        return handle;
    }

    public static int Close(int fd) => CloseNative(fd);

    /// <summary>read(2); returns the byte count, or -1 with <paramref name="errno"/> set.</summary>
    public static nint Read(DarwinFileHandle fd, Span<byte> buffer, out int errno)
    {
        fixed (byte* p = buffer)
        {
            var n = ReadNative(fd, p, (nuint)buffer.Length);
            errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
            return n;
        }
    }

    /// <summary>ioctl(2) with a pointer argument; returns 0 or the errno.</summary>
    public static int Ioctl(DarwinFileHandle fd, uint request, Span<byte> argument)
    {
        fixed (byte* p = argument)
        {
            // ioctl is declared variadic: int ioctl(int, unsigned long, ...). On Apple arm64 the
            // named arguments travel in x0..x7 but every variadic argument goes on the stack, so a
            // plain (int, ulong, void*) call would leave the pointer in x2, where the kernel stub
            // never looks. Six dummy register arguments fill x2..x7 and push the pointer to the
            // first stack slot, exactly where a variadic callee reads it. On x64 variadic and
            // fixed arguments are passed alike, so the plain declaration is right there.
            var result = RuntimeInformation.ProcessArchitecture == Architecture.Arm64
                ? IoctlArm64(fd, request, 0, 0, 0, 0, 0, 0, p)
                : IoctlX64(fd, request, p);
            return result == -1 ? Marshal.GetLastPInvokeError() : 0;
        }
    }

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial DarwinFileHandle OpenNative(string path, int flags);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    private static partial int CloseNative(int fd);

    [LibraryImport(Libc, EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadNative(DarwinFileHandle fd, byte* buffer, nuint count);

    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlX64(DarwinFileHandle fd, nuint request, byte* argument);

    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlArm64(
        DarwinFileHandle fd, nuint request, nint x2, nint x3, nint x4, nint x5, nint x6, nint x7, byte* argument);
}
