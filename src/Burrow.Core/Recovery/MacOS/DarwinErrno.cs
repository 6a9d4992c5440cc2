namespace Burrow.Core.Recovery.MacOS;

/// <summary>
/// errno values as macOS defines them (<c>bsd/sys/errno.h</c>; several differ from Linux, e.g.
/// EAGAIN is 35). Read from the xnu headers, not yet run on a real Mac.
/// </summary>
internal static class DarwinErrno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int ENXIO = 6;
    public const int E2BIG = 7;
    public const int EBADF = 9;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int ENODEV = 19;
    public const int EINVAL = 22;
    public const int ENOTTY = 25;
    public const int EAGAIN = 35;

    /// <summary>The symbolic name, for messages ("errno 22 (EINVAL)").</summary>
    public static string Describe(int errno) => errno switch
    {
        EPERM => "errno 1 (EPERM)",
        ENOENT => "errno 2 (ENOENT)",
        EINTR => "errno 4 (EINTR)",
        ENXIO => "errno 6 (ENXIO)",
        E2BIG => "errno 7 (E2BIG)",
        EBADF => "errno 9 (EBADF)",
        EACCES => "errno 13 (EACCES)",
        EBUSY => "errno 16 (EBUSY)",
        ENODEV => "errno 19 (ENODEV)",
        EINVAL => "errno 22 (EINVAL)",
        ENOTTY => "errno 25 (ENOTTY)",
        EAGAIN => "errno 35 (EAGAIN)",
        _ => $"errno {errno}",
    };
}
