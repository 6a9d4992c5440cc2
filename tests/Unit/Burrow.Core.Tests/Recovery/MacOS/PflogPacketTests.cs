using System.Net;
using System.Net.Sockets;
using Burrow.Core.Recovery.MacOS;
using static Burrow.Core.Tests.Recovery.MacOS.PflogFixtures;

namespace Burrow.Core.Tests.Recovery.MacOS;

public class PflogPacketTests
{
    [Fact]
    public void Ipv4SynYieldsSourceKeyAndOriginalDestination()
    {
        var record = Ipv4SynRecord("192.0.2.10", 51544, "198.51.100.7", 443);

        Assert.Equal(PflogParseResult.Syn, PflogPacket.TryParseSyn(record, out var syn));
        Assert.Equal(new PflogFlowKey(AddressFamily.InterNetwork, 6, IPAddress.Parse("192.0.2.10"), 51544), syn.Key);
        Assert.Equal(IPEndPoint.Parse("198.51.100.7:443"), syn.OriginalDestination);
    }

    [Fact]
    public void Ipv6SynYieldsSourceKeyAndOriginalDestination()
    {
        var record = Ipv6SynRecord("2001:db8::10", 40000, "2001:db8:ffff::7", 8443);

        Assert.Equal(PflogParseResult.Syn, PflogPacket.TryParseSyn(record, out var syn));
        Assert.Equal(new PflogFlowKey(AddressFamily.InterNetworkV6, 6, IPAddress.Parse("2001:db8::10"), 40000), syn.Key);
        Assert.Equal(IPEndPoint.Parse("[2001:db8:ffff::7]:8443"), syn.OriginalDestination);
    }

    [Fact]
    public void Ipv4OptionsAreSkippedByTheHeaderLength()
    {
        // 12 bytes of options whose bytes would read as ports 0x0707/0x0707 if IHL were ignored.
        byte[] options = [7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7];
        var record = Record(PflogHeader(2), Ipv4("10.1.2.3", "203.0.113.9", Tcp(1025, 80, Syn), options: options));

        Assert.Equal(PflogParseResult.Syn, PflogPacket.TryParseSyn(record, out var syn));
        Assert.Equal(1025, syn.Key.SourcePort);
        Assert.Equal(IPEndPoint.Parse("203.0.113.9:80"), syn.OriginalDestination);
    }

    [Fact]
    public void Ipv6CommonExtensionHeadersAreSkipped()
    {
        var packet = Ipv6("2001:db8::10", "2001:db8::20", Tcp(5000, 443, Syn), 6,
            Options(0), Options(60), Fragment(0), Options(60));
        var record = Record(PflogHeader(30), packet);

        Assert.Equal(PflogParseResult.Syn, PflogPacket.TryParseSyn(record, out var syn));
        Assert.Equal(5000, syn.Key.SourcePort);
        Assert.Equal(IPEndPoint.Parse("[2001:db8::20]:443"), syn.OriginalDestination);
    }

    [Fact]
    public void NonFirstFragmentsCarryNoTcpHeader()
    {
        var v4 = Record(PflogHeader(2), Ipv4("10.0.0.1", "10.0.0.2", Tcp(1, 2, Syn), fragment: 0x0020));
        var v6 = Record(PflogHeader(30), Ipv6("2001:db8::1", "2001:db8::2", Tcp(1, 2, Syn), 6, Fragment(8)));

        Assert.Equal(PflogParseResult.NotFirstFragment, PflogPacket.TryParseSyn(v4, out _));
        Assert.Equal(PflogParseResult.NotFirstFragment, PflogPacket.TryParseSyn(v6, out _));
    }

    [Theory]
    [InlineData(Syn | Ack)]
    [InlineData(Ack)]
    [InlineData(Syn | Rst)]
    [InlineData(Syn | Fin)]
    [InlineData(0)]
    public void OnlyAPlainSynCounts(byte flags)
    {
        var v4 = Record(PflogHeader(2), Ipv4("10.0.0.1", "10.0.0.2", Tcp(1, 2, flags)));
        var v6 = Record(PflogHeader(30), Ipv6("2001:db8::1", "2001:db8::2", Tcp(1, 2, flags)));

        Assert.Equal(PflogParseResult.NotSyn, PflogPacket.TryParseSyn(v4, out _));
        Assert.Equal(PflogParseResult.NotSyn, PflogPacket.TryParseSyn(v6, out _));
    }

    [Fact]
    public void SynWithEceAndCwrStillCounts()
    {
        var record = Record(PflogHeader(2), Ipv4("10.0.0.1", "10.0.0.2", Tcp(1, 2, Syn | 0x40 | 0x80)));
        Assert.Equal(PflogParseResult.Syn, PflogPacket.TryParseSyn(record, out _));
    }

    [Fact]
    public void NonTcpIsIgnored()
    {
        var udp = Record(PflogHeader(2), Ipv4("10.0.0.1", "10.0.0.2", Tcp(53, 53, Syn), protocol: 17));
        var icmp6 = Record(PflogHeader(30), Ipv6("2001:db8::1", "2001:db8::2", new byte[20], protocol: 58));
        var noNext = Record(PflogHeader(30), Ipv6("2001:db8::1", "2001:db8::2", [], protocol: 59));
        var esp = Record(PflogHeader(30), Ipv6("2001:db8::1", "2001:db8::2", new byte[20], protocol: 50));

        Assert.Equal(PflogParseResult.NotTcp, PflogPacket.TryParseSyn(udp, out _));
        Assert.Equal(PflogParseResult.NotTcp, PflogPacket.TryParseSyn(icmp6, out _));
        Assert.Equal(PflogParseResult.NotTcp, PflogPacket.TryParseSyn(noNext, out _));
        Assert.Equal(PflogParseResult.NotTcp, PflogPacket.TryParseSyn(esp, out _));
    }

    [Fact]
    public void WrongFamilyIsIgnored()
    {
        var v6InV4 = Record(PflogHeader(2), Ipv6("2001:db8::1", "2001:db8::2", Tcp(1, 2, Syn)));
        var v4InV6 = Record(PflogHeader(30), Ipv4("10.0.0.1", "10.0.0.2", Tcp(1, 2, Syn)));
        var linuxInet6 = Record(PflogHeader(10), Ipv6("2001:db8::1", "2001:db8::2", Tcp(1, 2, Syn)));

        Assert.Equal(PflogParseResult.FamilyMismatch, PflogPacket.TryParseSyn(v6InV4, out _));
        Assert.Equal(PflogParseResult.FamilyMismatch, PflogPacket.TryParseSyn(v4InV6, out _));
        Assert.Equal(PflogParseResult.UnsupportedFamily, PflogPacket.TryParseSyn(linuxInet6, out _));
    }

    [Fact]
    public void OnlyOutboundPassRecordsCount()
    {
        // The rdr rule's record (inbound on lo0, after translation) must not be taken for the original.
        var inbound = Record(PflogHeader(2, dir: 1), Ipv4("10.0.0.1", "127.0.0.1", Tcp(1, 9040, Syn)));
        var rdr = Record(PflogHeader(2, action: 8), Ipv4("10.0.0.1", "127.0.0.1", Tcp(1, 9040, Syn)));
        var block = Record(PflogHeader(2, action: 1), Ipv4("10.0.0.1", "10.0.0.2", Tcp(1, 2, Syn)));

        Assert.Equal(PflogParseResult.NotOutbound, PflogPacket.TryParseSyn(inbound, out _));
        Assert.Equal(PflogParseResult.NotPass, PflogPacket.TryParseSyn(rdr, out _));
        Assert.Equal(PflogParseResult.NotPass, PflogPacket.TryParseSyn(block, out _));
    }

    [Fact]
    public void ImpossibleHeaderFieldsAreMalformed()
    {
        var shortLength = Record(PflogHeader(2, length: 40), Ipv4("10.0.0.1", "10.0.0.2", Tcp(1, 2, Syn)));
        var ipv4 = Ipv4("10.0.0.1", "10.0.0.2", Tcp(1, 2, Syn));
        ipv4[0] = 0x44; // IHL 4: shorter than the fixed header
        var badIhl = Record(PflogHeader(2), ipv4);

        Assert.Equal(PflogParseResult.Malformed, PflogPacket.TryParseSyn(shortLength, out _));
        Assert.Equal(PflogParseResult.Malformed, PflogPacket.TryParseSyn(badIhl, out _));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryTruncationIsReportedNotThrown(bool ipv6)
    {
        var record = ipv6
            ? Record(PflogHeader(30), Ipv6("2001:db8::1", "2001:db8::2", Tcp(1, 2, Syn), 6, Options(0), Fragment(0)))
            : Record(PflogHeader(2), Ipv4("10.0.0.1", "10.0.0.2", Tcp(1, 2, Syn), options: [1, 1, 1, 0]));

        // Ports and flags sit in the first 14 TCP bytes: anything shorter is truncated.
        var needed = record.Length - 20 + 14;
        for (var length = 0; length < record.Length; length++)
        {
            var result = PflogPacket.TryParseSyn(record.AsSpan(0, length), out _);
            Assert.Equal(length >= needed ? PflogParseResult.Syn : PflogParseResult.Truncated, result);
        }
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var random = new Random(7);
        var buffer = new byte[160];
        for (var i = 0; i < 20_000; i++)
        {
            random.NextBytes(buffer);
            buffer[0] = 61;
            buffer[1] = (byte)(i % 2 == 0 ? 2 : 30);
            buffer[2] = 0;
            buffer[60] = 2;
            buffer[64] = (byte)((i % 2 == 0 ? 0x40 : 0x60) | (buffer[64] & 0x0f));
            var length = random.Next(buffer.Length + 1);
            _ = PflogPacket.TryParseSyn(buffer.AsSpan(0, length), out _);
        }
    }
}
