using System.Runtime.InteropServices;

namespace Burrow.Core.Configuration;

/// <summary>
/// The type of a file system entry (stat(2), following links), asked before a payload file is
/// opened: opening a FIFO blocks until a writer comes, and a device such as /dev/zero never ends.
/// </summary>
internal static partial class UnixFileType
{
    public enum Kind { Missing, Regular, Directory, Other, Unknown }

    private const uint TypeMask = 0xF000; // S_IFMT
    private const uint Regular = 0x8000;  // S_IFREG
    private const uint Dir = 0x4000;      // S_IFDIR

    public static Kind Of(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            return File.Exists(path) ? Kind.Regular : Directory.Exists(path) ? Kind.Directory : Kind.Missing;
        // st_mode's offset in struct stat: glibc x86_64 (dev 8, ino 8, nlink 8, mode 4) = 24; the
        // generic layout of aarch64 (dev 8, ino 8, mode 4) = 16; macOS 64-bit-inode stat (dev 4, mode 2) = 4.
        int offset;
        bool shortMode = false;
        if (OperatingSystem.IsMacOS()) { offset = 4; shortMode = true; }
        else if (RuntimeInformation.ProcessArchitecture == Architecture.X64) offset = 24;
        else if (RuntimeInformation.ProcessArchitecture == Architecture.Arm64) offset = 16;
        else return File.Exists(path) ? Kind.Regular : Directory.Exists(path) ? Kind.Directory : Kind.Missing;

        Span<byte> buffer = stackalloc byte[256]; // larger than struct stat on every platform above
        buffer.Clear();
        int rc;
        unsafe
        {
            fixed (byte* p = buffer)
                rc = Stat(path, p);
        }
        if (rc != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is 2 or 20 ? Kind.Missing : Kind.Unknown; // ENOENT, ENOTDIR
        }
        uint mode = shortMode ? BitConverter.ToUInt16(buffer[offset..]) : BitConverter.ToUInt32(buffer[offset..]);
        return (mode & TypeMask) switch
        {
            Regular => Kind.Regular,
            Dir => Kind.Directory,
            _ => Kind.Other,
        };
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int Stat(string path, byte* buffer);
}
