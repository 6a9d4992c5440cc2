using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Burrow.Core.Recovery.MacOS;

/// <summary>
/// Parses one pflog0 record: <c>struct pfloghdr</c> (xnu <c>bsd/net/if_pflog.h</c>; 64 bytes,
/// DLT_PFLOG 117) then the raw IP packet, and picks out outbound TCP SYNs logged by a pass rule.
/// Layout read from the xnu headers (docs PLATFORM.md, "macOS: pflog0 observer fallback"), not yet
/// run on a real Mac. Nothing here throws on bad input: a record is either a SYN or the reason it
/// is not.
/// </summary>
internal static class PflogPacket
{
    /// <summary>sizeof(struct pfloghdr), PFLOG_HDRLEN.</summary>
    public const int HeaderSize = 64;

    /// <summary>The value of pfloghdr.length: offsetof(pad), the header without its padding.</summary>
    public const int RealHeaderLength = 61;

    public const int LengthOffset = 0;
    public const int AddressFamilyOffset = 1;
    public const int ActionOffset = 2;
    public const int ReasonOffset = 3;
    public const int InterfaceNameOffset = 4;
    public const int RulesetOffset = 20;
    public const int RuleNumberOffset = 36;
    public const int SubruleNumberOffset = 40;
    public const int UidOffset = 44;
    public const int PidOffset = 48;
    public const int RuleUidOffset = 52;
    public const int RulePidOffset = 56;
    public const int DirectionOffset = 60;

    /// <summary>PF_PASS in pfloghdr.action.</summary>
    public const byte ActionPass = 0;

    /// <summary>PF_RDR in pfloghdr.action.</summary>
    public const byte ActionRdr = 8;

    private const byte IpProtoHopOpts = 0;
    private const byte IpProtoTcp = 6;
    private const byte IpProtoRouting = 43;
    private const byte IpProtoFragment = 44;
    private const byte IpProtoAh = 51;
    private const byte IpProtoDstOpts = 60;

    private const byte TcpFin = 0x01;
    private const byte TcpSyn = 0x02;
    private const byte TcpRst = 0x04;
    private const byte TcpAck = 0x10;

    // Enough for ports and flags: source port 0, destination port 2, flags 13.
    private const int TcpNeeded = 14;

    // Real packets rarely carry more than two or three; a bound keeps a hostile chain cheap.
    private const int MaxIpv6ExtensionHeaders = 8;

    /// <summary>Parses one captured pflog record (what a BPF record's data holds).</summary>
    public static PflogParseResult TryParseSyn(ReadOnlySpan<byte> record, out PflogSyn syn)
    {
        syn = default;
        if (record.Length < RealHeaderLength)
        {
            return PflogParseResult.Truncated;
        }

        int length = record[LengthOffset];
        if (length < RealHeaderLength)
        {
            return PflogParseResult.Malformed;
        }

        var family = record[AddressFamilyOffset] switch
        {
            PfNatLook.AfInet => AddressFamily.InterNetwork,
            PfNatLook.AfInet6 => AddressFamily.InterNetworkV6,
            _ => AddressFamily.Unknown,
        };
        if (family == AddressFamily.Unknown)
        {
            return PflogParseResult.UnsupportedFamily;
        }

        if (record[DirectionOffset] != (byte)PfDirection.Out)
        {
            return PflogParseResult.NotOutbound;
        }

        if (record[ActionOffset] != ActionPass)
        {
            return PflogParseResult.NotPass;
        }

        // The packet follows the header padded to BPF_WORDALIGN(length), i.e. at 64.
        var ipOffset = BpfRecordReader.WordAlign(length);
        if (ipOffset >= record.Length)
        {
            return PflogParseResult.Truncated;
        }

        var ip = record[ipOffset..];
        var version = ip[0] >> 4;
        return (family, version) switch
        {
            (AddressFamily.InterNetwork, 4) => ParseIpv4(ip, out syn),
            (AddressFamily.InterNetworkV6, 6) => ParseIpv6(ip, out syn),
            _ => PflogParseResult.FamilyMismatch,
        };
    }

    private static PflogParseResult ParseIpv4(ReadOnlySpan<byte> ip, out PflogSyn syn)
    {
        syn = default;
        if (ip.Length < 20)
        {
            return PflogParseResult.Truncated;
        }

        var headerLength = (ip[0] & 0x0f) * 4;
        if (headerLength < 20)
        {
            return PflogParseResult.Malformed;
        }

        if (ip[9] != IpProtoTcp)
        {
            return PflogParseResult.NotTcp;
        }

        if ((BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x1fff) != 0)
        {
            return PflogParseResult.NotFirstFragment;
        }

        if (ip.Length < headerLength + TcpNeeded)
        {
            return PflogParseResult.Truncated;
        }

        return ParseTcp(ip[headerLength..], AddressFamily.InterNetwork, ip.Slice(12, 4), ip.Slice(16, 4), out syn);
    }

    private static PflogParseResult ParseIpv6(ReadOnlySpan<byte> ip, out PflogSyn syn)
    {
        syn = default;
        if (ip.Length < 40)
        {
            return PflogParseResult.Truncated;
        }

        var next = ip[6];
        var offset = 40;
        for (var i = 0; next != IpProtoTcp; i++)
        {
            if (i == MaxIpv6ExtensionHeaders)
            {
                return PflogParseResult.NotTcp;
            }

            int extensionLength;
            switch (next)
            {
                case IpProtoHopOpts or IpProtoRouting or IpProtoDstOpts:
                    if (ip.Length < offset + 2)
                    {
                        return PflogParseResult.Truncated;
                    }

                    extensionLength = (ip[offset + 1] + 1) * 8;
                    break;
                case IpProtoFragment:
                    if (ip.Length < offset + 8)
                    {
                        return PflogParseResult.Truncated;
                    }

                    if ((BinaryPrimitives.ReadUInt16BigEndian(ip[(offset + 2)..]) & 0xfff8) != 0)
                    {
                        return PflogParseResult.NotFirstFragment;
                    }

                    extensionLength = 8;
                    break;
                case IpProtoAh:
                    if (ip.Length < offset + 2)
                    {
                        return PflogParseResult.Truncated;
                    }

                    extensionLength = (ip[offset + 1] + 2) * 4;
                    break;
                default:
                    // UDP, ICMPv6, No Next Header (59), ESP or an unknown header: no TCP ports to read.
                    return PflogParseResult.NotTcp;
            }

            next = ip[offset];
            offset += extensionLength;
        }

        if (ip.Length < offset + TcpNeeded)
        {
            return PflogParseResult.Truncated;
        }

        return ParseTcp(ip[offset..], AddressFamily.InterNetworkV6, ip.Slice(8, 16), ip.Slice(24, 16), out syn);
    }

    private static PflogParseResult ParseTcp(
        ReadOnlySpan<byte> tcp, AddressFamily family, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, out PflogSyn syn)
    {
        syn = default;
        if ((tcp[13] & (TcpSyn | TcpAck | TcpRst | TcpFin)) != TcpSyn)
        {
            return PflogParseResult.NotSyn;
        }

        var sourcePort = BinaryPrimitives.ReadUInt16BigEndian(tcp);
        var destinationPort = BinaryPrimitives.ReadUInt16BigEndian(tcp[2..]);
        syn = new PflogSyn(
            new PflogFlowKey(family, PflogFlowKey.Tcp, new IPAddress(source), sourcePort),
            new IPEndPoint(new IPAddress(destination), destinationPort));
        return PflogParseResult.Syn;
    }
}
