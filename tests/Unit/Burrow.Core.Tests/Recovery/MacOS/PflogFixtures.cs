using System.Buffers.Binary;
using System.Net;
using System.Text;
using Burrow.Core.Recovery.MacOS;

namespace Burrow.Core.Tests.Recovery.MacOS;

/// <summary>
/// Builds pflog0 and BPF byte fixtures by hand from the documented layouts (PLATFORM.md), with
/// literal offsets rather than the parser's constants, so a wrong constant in the code fails a test.
/// </summary>
internal static class PflogFixtures
{
    public const byte Syn = 0x02;
    public const byte Ack = 0x10;
    public const byte Rst = 0x04;
    public const byte Fin = 0x01;

    /// <summary>struct pfloghdr: 64 bytes.</summary>
    public static byte[] PflogHeader(byte af, byte dir = 2, byte action = 0, byte length = 61, string ifname = "en0", string ruleset = "com.apple/burrow")
    {
        var h = new byte[64];
        h[0] = length;
        h[1] = af;
        h[2] = action;
        h[3] = 0; // reason PFRES_MATCH
        Encoding.ASCII.GetBytes(ifname, h.AsSpan(4, 16));
        Encoding.ASCII.GetBytes(ruleset, h.AsSpan(20, 16));
        BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(36), 3);          // rulenr, network order
        BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(40), 0xffffffff); // subrulenr
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(44), 501);     // uid, host order
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(48), 4242);    // pid
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(52), 0xffffffff);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(56), 0xffffffff);
        h[60] = dir;
        return h;
    }

    public static byte[] Tcp(ushort sourcePort, ushort destinationPort, byte flags)
    {
        var t = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(t, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(t.AsSpan(4), 0x01020304); // seq
        t[12] = 5 << 4;
        t[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(14), 65535);
        return t;
    }

    public static byte[] Ipv4(string source, string destination, byte[] payload, byte protocol = 6, byte[]? options = null, ushort fragment = 0x4000)
    {
        options ??= [];
        Assert.Equal(0, options.Length % 4);
        var ihl = 20 + options.Length;
        var p = new byte[ihl + payload.Length];
        p[0] = (byte)(0x40 | (ihl / 4));
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)p.Length);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), 0x1234);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(6), fragment);
        p[8] = 64;
        p[9] = protocol;
        IPAddress.Parse(source).GetAddressBytes().CopyTo(p, 12);
        IPAddress.Parse(destination).GetAddressBytes().CopyTo(p, 16);
        options.CopyTo(p, 20);
        payload.CopyTo(p, ihl);
        return p;
    }

    /// <summary>IPv6 with optional extension headers, each given as (type, bytes incl. its next-header byte).</summary>
    public static byte[] Ipv6(string source, string destination, byte[] payload, byte protocol = 6, params (byte Type, byte[] Bytes)[] extensions)
    {
        var body = new List<byte>();
        var firstNext = extensions.Length > 0 ? extensions[0].Type : protocol;
        for (var i = 0; i < extensions.Length; i++)
        {
            var ext = (byte[])extensions[i].Bytes.Clone();
            ext[0] = i + 1 < extensions.Length ? extensions[i + 1].Type : protocol;
            body.AddRange(ext);
        }

        body.AddRange(payload);
        var p = new byte[40 + body.Count];
        p[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), (ushort)body.Count);
        p[6] = firstNext;
        p[7] = 64;
        IPAddress.Parse(source).GetAddressBytes().CopyTo(p, 8);
        IPAddress.Parse(destination).GetAddressBytes().CopyTo(p, 24);
        body.CopyTo(p, 40);
        return p;
    }

    /// <summary>Hop-by-hop / destination options: 8 bytes (hdr ext len 0) of PadN.</summary>
    public static (byte, byte[]) Options(byte type) => (type, [0, 0, 1, 4, 0, 0, 0, 0]);

    /// <summary>Fragment header with the given 13-bit offset (in 8-byte units).</summary>
    public static (byte, byte[]) Fragment(ushort offset, bool more = true)
    {
        var f = new byte[8];
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(2), (ushort)((offset << 3) | (more ? 1 : 0)));
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(4), 0xabcdef01);
        return (44, f);
    }

    public static byte[] Record(byte[] pflogHeader, byte[] packet) => [.. pflogHeader, .. packet];

    public static byte[] Ipv4SynRecord(string source, ushort sourcePort, string destination, ushort destinationPort, byte dir = 2) =>
        Record(PflogHeader(2, dir), Ipv4(source, destination, Tcp(sourcePort, destinationPort, Syn)));

    public static byte[] Ipv6SynRecord(string source, ushort sourcePort, string destination, ushort destinationPort) =>
        Record(PflogHeader(30), Ipv6(source, destination, Tcp(sourcePort, destinationPort, Syn)));

    /// <summary>One BPF read buffer: per record a bpf_hdr (timeval32, caplen, datalen, hdrlen),
    /// padding to hdrlen, the data, then padding to a 4-byte boundary except after the last.</summary>
    public static byte[] BpfBuffer(int hdrLen, params (byte[] Data, int DataLen)[] records)
    {
        var buffer = new List<byte>();
        for (var i = 0; i < records.Length; i++)
        {
            var (data, dataLen) = records[i];
            var header = new byte[hdrLen];
            BinaryPrimitives.WriteUInt32LittleEndian(header, 1_700_000_000);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), 123_456);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)data.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), (uint)dataLen);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(16), (ushort)hdrLen);
            for (var j = 18; j < hdrLen; j++)
            {
                header[j] = 0xEE; // padding the reader must skip
            }

            buffer.AddRange(header);
            buffer.AddRange(data);
            if (i + 1 < records.Length)
            {
                while (buffer.Count % 4 != 0)
                {
                    buffer.Add(0xDD);
                }
            }
        }

        return [.. buffer];
    }

    public static byte[] BpfBuffer(params byte[][] records) =>
        BpfBuffer(20, records.Select(r => (r, r.Length)).ToArray());
}
