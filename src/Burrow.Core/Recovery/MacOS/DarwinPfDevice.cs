namespace Burrow.Core.Recovery.MacOS;

/// <summary>
/// <c>/dev/pf</c>, opened read-only: xnu allows DIOCNATLOOK on a read-only descriptor, and pf's
/// ioctl handler itself requires root (EPERM otherwise). Not yet run on a real Mac.
/// </summary>
internal sealed class DarwinPfDevice : IPfDevice
{
    public const string Path = "/dev/pf";

    private readonly DarwinFileHandle _fd;

    private DarwinPfDevice(DarwinFileHandle fd) => _fd = fd;

    /// <summary>Opens /dev/pf. Throws <see cref="PlatformNotSupportedException"/> off macOS and
    /// <see cref="MacOSRecoveryException"/> with a clear reason when the device cannot be opened.</summary>
    public static DarwinPfDevice Open()
    {
        if (!OperatingSystem.IsMacOS())
        {
            throw new PlatformNotSupportedException(
                $"DIOCNATLOOK on {Path} is only available on macOS; this platform is {System.Runtime.InteropServices.RuntimeInformation.OSDescription}.");
        }

        var fd = DarwinNative.Open(Path, DarwinNative.ORdOnly | DarwinNative.OCloExec, out var errno);
        if (fd.IsInvalid)
        {
            fd.Dispose();
            throw new MacOSRecoveryException(errno switch
            {
                DarwinErrno.EACCES or DarwinErrno.EPERM =>
                    $"Cannot open {Path}: permission denied ({DarwinErrno.Describe(errno)}); run as root (sudo).",
                DarwinErrno.ENOENT =>
                    $"Cannot open {Path}: no such device ({DarwinErrno.Describe(errno)}); pf is part of macOS, so this system is unusual.",
                _ => $"Cannot open {Path}: {DarwinErrno.Describe(errno)}.",
            }, errno);
        }

        return new DarwinPfDevice(fd);
    }

    public int NatLook(Span<byte> pfiocNatLook)
    {
        if (pfiocNatLook.Length != PfNatLook.Size)
        {
            // The kernel copies exactly 84 bytes; a shorter buffer would let it write past the end.
            throw new ArgumentException($"DIOCNATLOOK needs a {PfNatLook.Size}-byte buffer; got {pfiocNatLook.Length}.");
        }

        return DarwinNative.Ioctl(_fd, XnuIoctl.DiocNatLook, pfiocNatLook);
    }

    public void Dispose() => _fd.Dispose();
}
