using System.Net;
using Burrow.Core.Recovery.MacOS;

namespace Burrow.Core.Tests.Recovery.MacOS;

/// <summary>Stands in for /dev/pf: answers DIOCNATLOOK per direction and records each request.</summary>
internal sealed class FakePfDevice : IPfDevice
{
    private readonly object _gate = new();

    /// <summary>errno per direction; 0 means "found", with <see cref="Answer"/> written into rdaddr/rdxport.</summary>
    public Dictionary<PfDirection, int> Errno { get; } = new() { [PfDirection.Out] = DarwinErrno.ENOENT, [PfDirection.In] = DarwinErrno.ENOENT };

    public IPEndPoint? Answer { get; set; }

    public List<byte[]> Requests { get; } = [];

    public bool Disposed { get; private set; }

    public static FakePfDevice Answering(PfDirection direction, IPEndPoint answer)
    {
        var device = new FakePfDevice { Answer = answer };
        device.Errno[direction] = 0;
        return device;
    }

    public int NatLook(Span<byte> pfiocNatLook)
    {
        Assert.Equal(PfNatLook.Size, pfiocNatLook.Length);
        var direction = (PfDirection)pfiocNatLook[PfNatLook.DirectionOffset];
        lock (_gate)
        {
            Requests.Add(pfiocNatLook.ToArray());
        }

        var errno = Errno[direction];
        if (errno == 0 && Answer is not null)
        {
            // What xnu writes for a PF_OUT match: rdaddr/rdxport = the state's pre-rdr destination.
            Answer.Address.TryWriteBytes(pfiocNatLook.Slice(PfNatLook.RedirectDestinationAddressOffset, 16), out _);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(
                pfiocNatLook[PfNatLook.RedirectDestinationPortOffset..], (ushort)Answer.Port);
        }

        return errno;
    }

    public void Dispose() => Disposed = true;
}
