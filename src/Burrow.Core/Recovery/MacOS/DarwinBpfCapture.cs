using System.Buffers.Binary;
using System.Text;

namespace Burrow.Core.Recovery.MacOS;

/// <summary>
/// A BPF device (<c>/dev/bpfN</c>) attached to a pflog interface. Set-up order and ioctl numbers
/// follow xnu's <c>bsd/net/bpf.h</c> as read from the headers; not yet run on a real Mac.
/// </summary>
internal sealed class DarwinBpfCapture : IBpfCapture
{
    /// <summary>DLT_PFLOG (xnu <c>bsd/net/bpf.h</c>).</summary>
    public const uint DltPflog = 117;

    // xnu creates bpf devices on demand; 256 is far beyond what a host has busy at once.
    private const int MaxDevices = 256;

    private readonly DarwinFileHandle _fd;

    private DarwinBpfCapture(DarwinFileHandle fd, string device, int bufferLength)
    {
        _fd = fd;
        Device = device;
        BufferLength = bufferLength;
    }

    public string Device { get; }

    public int BufferLength { get; }

    /// <summary>
    /// Opens the first free /dev/bpfN and attaches it to <paramref name="interfaceName"/>
    /// (normally pflog0) in immediate mode with a read timeout, so that a read loop sees
    /// cancellation within <paramref name="readTimeout"/>. Throws
    /// <see cref="PlatformNotSupportedException"/> off macOS and <see cref="MacOSRecoveryException"/>
    /// with a clear reason otherwise.
    /// </summary>
    public static DarwinBpfCapture Open(string interfaceName, TimeSpan readTimeout)
    {
        if (!OperatingSystem.IsMacOS())
        {
            throw new PlatformNotSupportedException(
                $"The {interfaceName} observer reads BPF devices and is only available on macOS; this platform is {System.Runtime.InteropServices.RuntimeInformation.OSDescription}.");
        }

        if (Encoding.ASCII.GetByteCount(interfaceName) >= XnuIoctl.IfNameSize)
        {
            throw new ArgumentException($"Interface name '{interfaceName}' is longer than {XnuIoctl.IfNameSize - 1} bytes.");
        }

        var (fd, device) = OpenFreeDevice();
        try
        {
            Span<byte> uint32 = stackalloc byte[4];

            // pflog hands its records to BPF as outgoing packets; make sure they are delivered.
            // Best effort: "see sent" is already the default, so a kernel without the call is fine.
            BinaryPrimitives.WriteUInt32LittleEndian(uint32, 1);
            _ = DarwinNative.Ioctl(fd, XnuIoctl.BiocSSeeSent, uint32);

            BinaryPrimitives.WriteUInt32LittleEndian(uint32, 1);
            Check(DarwinNative.Ioctl(fd, XnuIoctl.BiocImmediate, uint32), "BIOCIMMEDIATE", device);

            Span<byte> ifreq = stackalloc byte[XnuIoctl.IfReqSize];
            ifreq.Clear();
            Encoding.ASCII.GetBytes(interfaceName, ifreq);
            var error = DarwinNative.Ioctl(fd, XnuIoctl.BiocSetIf, ifreq);
            if (error == DarwinErrno.ENXIO || error == DarwinErrno.ENODEV)
            {
                throw new MacOSRecoveryException(
                    $"Interface {interfaceName} does not exist ({DarwinErrno.Describe(error)}); create it with 'sudo ifconfig {interfaceName} create'.",
                    error);
            }

            Check(error, $"BIOCSETIF {interfaceName}", device);

            uint32.Clear();
            Check(DarwinNative.Ioctl(fd, XnuIoctl.BiocGDlt, uint32), "BIOCGDLT", device);
            var dlt = BinaryPrimitives.ReadUInt32LittleEndian(uint32);
            if (dlt != DltPflog)
            {
                throw new MacOSRecoveryException(
                    $"Interface {interfaceName} has link type {dlt}, not DLT_PFLOG ({DltPflog}); is it a pflog interface?");
            }

            // Both macOS architectures are little-endian: host order is little-endian order.
            Span<byte> timeval = stackalloc byte[XnuIoctl.TimevalSize];
            timeval.Clear();
            var micros = (long)Math.Max(1, readTimeout.TotalMicroseconds);
            BinaryPrimitives.WriteInt64LittleEndian(timeval, micros / 1_000_000);
            BinaryPrimitives.WriteInt32LittleEndian(timeval[8..], (int)(micros % 1_000_000));
            Check(DarwinNative.Ioctl(fd, XnuIoctl.BiocSRTimeout, timeval), "BIOCSRTIMEOUT", device);

            uint32.Clear();
            Check(DarwinNative.Ioctl(fd, XnuIoctl.BiocGBLen, uint32), "BIOCGBLEN", device);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(uint32);
            if (length is 0 or > 16 * 1024 * 1024)
            {
                throw new MacOSRecoveryException($"{device}: BIOCGBLEN returned an implausible buffer length {length}.");
            }

            return new DarwinBpfCapture(fd, device, (int)length);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    public int Read(Span<byte> buffer)
    {
        if (buffer.Length != BufferLength)
        {
            throw new ArgumentException($"A BPF read buffer must be exactly {BufferLength} bytes (BIOCGBLEN); got {buffer.Length}.");
        }

        while (true)
        {
            var n = DarwinNative.Read(_fd, buffer, out var errno);
            if (n >= 0)
            {
                return (int)n;
            }

            switch (errno)
            {
                case DarwinErrno.EINTR:
                    continue;
                case DarwinErrno.EAGAIN:
                    return 0;
                case DarwinErrno.ENXIO:
                    throw new MacOSRecoveryException($"{Device}: the pflog interface went away ({DarwinErrno.Describe(errno)}).", errno);
                default:
                    throw new MacOSRecoveryException($"{Device}: read failed, {DarwinErrno.Describe(errno)}.", errno);
            }
        }
    }

    public void Dispose() => _fd.Dispose();

    private static (DarwinFileHandle Fd, string Device) OpenFreeDevice()
    {
        for (var i = 0; i < MaxDevices; i++)
        {
            var device = $"/dev/bpf{i}";
            var fd = DarwinNative.Open(device, DarwinNative.ORdOnly | DarwinNative.OCloExec, out var errno);
            if (!fd.IsInvalid)
            {
                return (fd, device);
            }

            fd.Dispose();
            switch (errno)
            {
                case DarwinErrno.EBUSY:
                    continue;
                case DarwinErrno.EACCES or DarwinErrno.EPERM:
                    throw new MacOSRecoveryException($"Cannot open {device}: permission denied ({DarwinErrno.Describe(errno)}); run as root (sudo).", errno);
                case DarwinErrno.ENOENT:
                    throw new MacOSRecoveryException($"No free BPF device: {device} does not exist and every earlier one is busy.", errno);
                default:
                    throw new MacOSRecoveryException($"Cannot open {device}: {DarwinErrno.Describe(errno)}.", errno);
            }
        }

        throw new MacOSRecoveryException($"No free BPF device among /dev/bpf0../dev/bpf{MaxDevices - 1}.");
    }

    private static void Check(int errno, string what, string device)
    {
        if (errno != 0)
        {
            throw new MacOSRecoveryException($"{device}: {what} failed, {DarwinErrno.Describe(errno)}.", errno);
        }
    }
}
