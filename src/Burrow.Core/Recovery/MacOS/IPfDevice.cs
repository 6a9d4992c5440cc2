namespace Burrow.Core.Recovery.MacOS;

/// <summary>
/// The one system call the DIOCNATLOOK resolver needs, behind a seam so the resolver's logic runs
/// over a fake in tests. The real implementation is <see cref="DarwinPfDevice"/>.
/// </summary>
internal interface IPfDevice : IDisposable
{
    /// <summary>Issues <c>ioctl(fd, DIOCNATLOOK, pfioc)</c> on an open <c>/dev/pf</c>; the kernel
    /// fills the out fields in place. Returns 0 on success, otherwise the errno.</summary>
    int NatLook(Span<byte> pfiocNatLook);
}
