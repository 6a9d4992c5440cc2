namespace Burrow.Core.Recovery.MacOS;

/// <summary>One captured packet out of a BPF read buffer (see <see cref="BpfRecordReader"/>).</summary>
internal readonly ref struct BpfRecord
{
    public BpfRecord(ReadOnlySpan<byte> packet, uint originalLength)
    {
        Packet = packet;
        OriginalLength = originalLength;
    }

    /// <summary>The captured bytes (bh_caplen of them): for pflog0, a pfloghdr then the IP packet.</summary>
    public ReadOnlySpan<byte> Packet { get; }

    /// <summary>bh_datalen: the packet's length on the wire, which may exceed what was captured.</summary>
    public uint OriginalLength { get; }

    public bool IsTruncated => Packet.Length < OriginalLength;
}
