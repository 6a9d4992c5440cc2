using System.Buffers.Binary;

namespace Burrow.Core.Recovery.MacOS;

/// <summary>
/// Walks the records of one BPF read buffer. Each record is a <c>struct bpf_hdr</c> (xnu
/// <c>bsd/net/bpf.h</c>, LP64 user space: <c>struct timeval32</c> bh_tstamp 8 bytes, bh_caplen 4,
/// bh_datalen 4, bh_hdrlen 2, host order = little-endian on every Mac), then bh_hdrlen minus that
/// of padding, then bh_caplen captured bytes; the next record starts at the BPF_WORDALIGN
/// (4-byte) boundary after them. The data always starts bh_hdrlen bytes in, whatever the header
/// size: the kernel pads so the network header is aligned. Read from the xnu headers, not yet
/// run on a real Mac.
/// </summary>
internal ref struct BpfRecordReader
{
    /// <summary>SIZEOF_BPF_HDR: the header's bytes before the kernel's alignment padding.</summary>
    public const int HeaderSize = 18;

    /// <summary>BPF_ALIGNMENT on macOS: sizeof(int32_t).</summary>
    public const int Alignment = 4;

    private const int CapLenOffset = 8;
    private const int DataLenOffset = 12;
    private const int HdrLenOffset = 16;

    private readonly ReadOnlySpan<byte> _buffer;
    private int _offset;

    public BpfRecordReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _offset = 0;
        Malformed = false;
    }

    /// <summary>True once a header could not be trusted: the rest of the buffer was skipped.</summary>
    public bool Malformed { get; private set; }

    public static int WordAlign(int length) => (length + (Alignment - 1)) & ~(Alignment - 1);

    /// <summary>Reads the next record; false at the end of the buffer or at a malformed header.</summary>
    public bool TryRead(out BpfRecord record)
    {
        record = default;
        var remaining = _buffer.Length - _offset;
        if (remaining <= 0 || Malformed)
        {
            return false;
        }

        var header = _buffer.Slice(_offset);
        if (remaining < HeaderSize)
        {
            return Stop();
        }

        var capLen = BinaryPrimitives.ReadUInt32LittleEndian(header[CapLenOffset..]);
        var dataLen = BinaryPrimitives.ReadUInt32LittleEndian(header[DataLenOffset..]);
        var hdrLen = BinaryPrimitives.ReadUInt16LittleEndian(header[HdrLenOffset..]);
        if (hdrLen < HeaderSize || capLen > (uint)(remaining - hdrLen) || hdrLen > remaining)
        {
            return Stop();
        }

        record = new BpfRecord(header.Slice(hdrLen, (int)capLen), dataLen);

        // The kernel does not pad after the last record of a read, so the aligned step may pass the end.
        _offset = (int)Math.Min((long)_buffer.Length, _offset + (long)WordAlign(hdrLen + (int)capLen));
        return true;
    }

    private bool Stop()
    {
        Malformed = true;
        _offset = _buffer.Length;
        return false;
    }
}
