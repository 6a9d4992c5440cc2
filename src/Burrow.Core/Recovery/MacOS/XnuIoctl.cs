namespace Burrow.Core.Recovery.MacOS;

/// <summary>
/// BSD ioctl request numbers as xnu encodes them (<c>bsd/sys/ioccom.h</c>): direction in the top
/// three bits, the argument size in bits 16..28, the group letter in bits 8..15, the number in 0..7.
/// The numbers below were computed from xnu's <c>bsd/net/pfvar.h</c> and <c>bsd/net/bpf.h</c>
/// as read from the headers; they have not yet been run on a real Mac.
/// </summary>
internal static class XnuIoctl
{
    private const uint IocVoid = 0x2000_0000;
    private const uint IocOut = 0x4000_0000;
    private const uint IocIn = 0x8000_0000;
    private const uint IocInOut = IocIn | IocOut;
    private const uint IocParmMask = 0x1fff;

    public static uint Io(char group, int number) => Encode(IocVoid, group, number, 0);

    /// <summary><c>_IOR</c>: the kernel writes <paramref name="size"/> bytes back.</summary>
    public static uint IoR(char group, int number, int size) => Encode(IocOut, group, number, size);

    /// <summary><c>_IOW</c>: the kernel reads <paramref name="size"/> bytes.</summary>
    public static uint IoW(char group, int number, int size) => Encode(IocIn, group, number, size);

    /// <summary><c>_IOWR</c>: both.</summary>
    public static uint IoWR(char group, int number, int size) => Encode(IocInOut, group, number, size);

    private static uint Encode(uint direction, char group, int number, int size)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)size, IocParmMask, nameof(size));
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)number, 0xffu, nameof(number));
        return direction | (((uint)size & IocParmMask) << 16) | ((uint)(byte)group << 8) | (uint)number;
    }

    /// <summary><c>DIOCNATLOOK = _IOWR('D', 23, struct pfioc_natlook)</c>, 84 bytes.</summary>
    public const uint DiocNatLook = 0xC054_4417;

    /// <summary><c>BIOCGBLEN = _IOR('B', 102, u_int)</c>: the read buffer length a read() must use.</summary>
    public const uint BiocGBLen = 0x4004_4266;

    /// <summary><c>BIOCGDLT = _IOR('B', 106, u_int)</c>: the attached interface's link type.</summary>
    public const uint BiocGDlt = 0x4004_426A;

    /// <summary><c>BIOCSETIF = _IOW('B', 108, struct ifreq)</c>; struct ifreq is 32 bytes on macOS.</summary>
    public const uint BiocSetIf = 0x8020_426C;

    /// <summary><c>BIOCSRTIMEOUT = _IOW('B', 109, struct timeval)</c>; struct timeval is 16 bytes on LP64.</summary>
    public const uint BiocSRTimeout = 0x8010_426D;

    /// <summary><c>BIOCIMMEDIATE = _IOW('B', 112, u_int)</c>: return each packet as it arrives.</summary>
    public const uint BiocImmediate = 0x8004_4270;

    /// <summary><c>BIOCSSEESENT = _IOW('B', 119, u_int)</c>: pflog taps its records as "sent" packets.</summary>
    public const uint BiocSSeeSent = 0x8004_4277;

    /// <summary>Size of <c>struct ifreq</c> on macOS (IFNAMSIZ 16 + a 16-byte union).</summary>
    public const int IfReqSize = 32;

    /// <summary>IFNAMSIZ, including the terminating NUL.</summary>
    public const int IfNameSize = 16;

    /// <summary>Size of <c>struct timeval</c> on LP64 macOS (int64 tv_sec, int32 tv_usec, padding).</summary>
    public const int TimevalSize = 16;
}
