using System.Net;
using Burrow.Tor.Cells;
using Burrow.Tor.Identities;

namespace Burrow.Tor.Tests.Cells;

/// <summary>Bodies that break tor-spec's layouts: each must be rejected with <see cref="CellFormatException"/>
/// and nothing else.</summary>
public class MalformedCellTests
{
    public static TheoryData<byte, string> BadChannelBodies => new()
    {
        { (byte)ChannelCommand.Versions, "000400" },                       // odd length
        { (byte)ChannelCommand.Versions, "00" },
        { (byte)ChannelCommand.Certs, "" },                                // no N
        { (byte)ChannelCommand.Certs, "01" },                              // no CertType
        { (byte)ChannelCommand.Certs, "01 02" },                           // no CLEN
        { (byte)ChannelCommand.Certs, "01 02 00" },                        // half a CLEN
        { (byte)ChannelCommand.Certs, "01 02 0005 AABB" },                 // CLEN beyond the body
        { (byte)ChannelCommand.Certs, "02 02 0001 AA" },                   // N says 2, one present
        { (byte)ChannelCommand.Certs, "02 04 0001 AA 04 0001 BB" },        // two certificates of one type
        { (byte)ChannelCommand.AuthChallenge, Hex.Pattern(31) },          // short challenge
        { (byte)ChannelCommand.AuthChallenge, Hex.Pattern(32) },          // no N_Methods
        { (byte)ChannelCommand.AuthChallenge, Hex.Pattern(32) + "00" },
        { (byte)ChannelCommand.AuthChallenge, Hex.Pattern(32) + "0002 0001" }, // one method of two
        { (byte)ChannelCommand.Authenticate, "0003" },
        { (byte)ChannelCommand.Authenticate, "0003 0005 01020304" },
        { (byte)ChannelCommand.Netinfo, "" },
        { (byte)ChannelCommand.Netinfo, "000000" },
        { (byte)ChannelCommand.Netinfo, "00000000" },                      // no OTHERADDR
        { (byte)ChannelCommand.Netinfo, "00000000 04" },                   // no ALEN
        { (byte)ChannelCommand.Netinfo, "00000000 04 04 7F00" },           // AVAL short
        { (byte)ChannelCommand.Netinfo, "00000000 04 04 7F000001" },       // no NMYADDR
        { (byte)ChannelCommand.Netinfo, "00000000 04 04 7F000001 01" },    // NMYADDR 1, none
        { (byte)ChannelCommand.Netinfo, "00000000 04 04 7F000001 02 04 04 C0000201" }, // NMYADDR 2, one
        { (byte)ChannelCommand.Netinfo, "00000000 06 FF" + Hex.Pattern(200) }, // ALEN beyond the body
        { (byte)ChannelCommand.Create2, "" },
        { (byte)ChannelCommand.Create2, "0002" },
        { (byte)ChannelCommand.Create2, "0002 00" },
        { (byte)ChannelCommand.Create2, "0002 0054" + Hex.Pattern(83) },  // HDATA short
        { (byte)ChannelCommand.Create2, Hex.Of(Hex.Padded("0002 01FE")) }, // HLEN 510 in a 509-byte body
        { (byte)ChannelCommand.Create2, Hex.Of(Hex.Padded("0002 FFFF")) },
        { (byte)ChannelCommand.Created2, "" },
        { (byte)ChannelCommand.Created2, "00" },
        { (byte)ChannelCommand.Created2, "0040" + Hex.Pattern(63) },
        { (byte)ChannelCommand.Created2, Hex.Of(Hex.Padded("01FF")) },     // HLEN 511
        { (byte)ChannelCommand.CreateFast, Hex.Pattern(19) },
        { (byte)ChannelCommand.CreatedFast, Hex.Pattern(39) },
        { (byte)ChannelCommand.CreatedFast, Hex.Pattern(20) },
        { (byte)ChannelCommand.Destroy, "" },
        { (byte)ChannelCommand.PaddingNegotiate, "0002 05DC 23" },
        { (byte)ChannelCommand.Relay, Hex.Pattern(508) },                  // relay bodies are 509 bytes
        { (byte)ChannelCommand.RelayEarly, Hex.Pattern(510) },
    };

    [Theory]
    [MemberData(nameof(BadChannelBodies))]
    public void ChannelBodiesAreRejected(byte command, string hex)
    {
        var e = Assert.Throws<CellFormatException>(() => ChannelMessage.Decode((ChannelCommand)command, Hex.Bytes(hex)));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    public static TheoryData<byte, string> BadRelayData => new()
    {
        // BEGIN: ADDRPORT must be NUL-terminated "host:port" with port 1..65535, FLAGS whole.
        { (byte)RelayCommand.Begin, "" },
        { (byte)RelayCommand.Begin, Hex.Ascii("www.example.com:80") },
        { (byte)RelayCommand.Begin, "00" },
        { (byte)RelayCommand.Begin, Hex.Ascii(":80") + "00" },
        { (byte)RelayCommand.Begin, Hex.Ascii("example.com") + "00" },
        { (byte)RelayCommand.Begin, Hex.Ascii("example.com:") + "00" },
        { (byte)RelayCommand.Begin, Hex.Ascii("example.com:0") + "00" },
        { (byte)RelayCommand.Begin, Hex.Ascii("example.com:65536") + "00" },
        { (byte)RelayCommand.Begin, Hex.Ascii("example.com:123456") + "00" },
        { (byte)RelayCommand.Begin, Hex.Ascii("example.com:8a") + "00" },
        { (byte)RelayCommand.Begin, Hex.Ascii("example.com:+80") + "00" },
        { (byte)RelayCommand.Begin, Hex.Ascii("example.com:-1") + "00" },
        { (byte)RelayCommand.Begin, Hex.Ascii("example.com: 80") + "00" },
        { (byte)RelayCommand.Begin, Hex.Ascii("exa mple.com:80") + "00" },
        { (byte)RelayCommand.Begin, "6578 01 3A3830 00" },                      // control byte
        { (byte)RelayCommand.Begin, "65C3A9 3A3830 00" },                       // non-ASCII
        { (byte)RelayCommand.Begin, Hex.Ascii("[2001:db8::1:443") + "00" },     // no "]:"
        { (byte)RelayCommand.Begin, Hex.Ascii("[example.com]:443") + "00" },    // brackets around a non-IPv6
        { (byte)RelayCommand.Begin, Hex.Ascii("[192.0.2.1]:443") + "00" },
        { (byte)RelayCommand.Begin, Hex.Ascii("[fe80::1%eth0]:443") + "00" },   // zone IDs do not travel
        { (byte)RelayCommand.Begin, Hex.Ascii("2001:db8::1:443") + "00" },      // IPv6 without brackets
        { (byte)RelayCommand.Begin, Hex.Ascii("example.com:80") + "00 0000" },  // FLAGS cut short
        { (byte)RelayCommand.Begin, Hex.Ascii("example.com:80") + "00 000000" },
        // CONNECTED: empty, IPv4+TTL, or 4 zero bytes + type 6 + IPv6 + TTL.
        { (byte)RelayCommand.Connected, "C0" },
        { (byte)RelayCommand.Connected, "C0000201" },
        { (byte)RelayCommand.Connected, "C0000201 0000" },
        { (byte)RelayCommand.Connected, "00000000" },
        { (byte)RelayCommand.Connected, "00000000 04 C0000201 00000E10" },
        { (byte)RelayCommand.Connected, "00000000 06 20010DB8" },
        { (byte)RelayCommand.Connected, "00000000 06 20010DB8000000000000000000000002" },
        { (byte)RelayCommand.Connected, "00000000 06 20010DB8000000000000000000000002 0000" },
        // SENDME: version 1 needs DATA_LEN >= 20 and the bytes it announces.
        { (byte)RelayCommand.Sendme, "01" },
        { (byte)RelayCommand.Sendme, "01 00" },
        { (byte)RelayCommand.Sendme, "01 0013" + Hex.Pattern(19) },
        { (byte)RelayCommand.Sendme, "01 0000" },
        { (byte)RelayCommand.Sendme, "01 0014" + Hex.Pattern(19) },
        { (byte)RelayCommand.Sendme, "02 0005 0102" },
        // EXTEND2
        { (byte)RelayCommand.Extend2, "" },
        { (byte)RelayCommand.Extend2, "01" },
        { (byte)RelayCommand.Extend2, "01 00" },
        { (byte)RelayCommand.Extend2, "01 00 06 C00002" },
        { (byte)RelayCommand.Extend2, "01 00 05 C000020123 0002 0000" },          // IPv4 of LSLEN 5
        { (byte)RelayCommand.Extend2, "01 00 07 C00002012329FF 0002 0000" },      // IPv4 of LSLEN 7
        { (byte)RelayCommand.Extend2, "01 01 06 C00002012329 0002 0000" },        // IPv6 of LSLEN 6
        { (byte)RelayCommand.Extend2, "01 02 13" + Hex.Pattern(19) + "0002 0000" }, // legacy id of 19
        { (byte)RelayCommand.Extend2, "01 03 1F" + Hex.Pattern(31) + "0002 0000" }, // Ed25519 id of 31
        { (byte)RelayCommand.Extend2, "02 02 14" + Hex.Pattern(20) + "02 14" + Hex.Pattern(20, 1) + "0002 0000" }, // two legacy ids
        { (byte)RelayCommand.Extend2, "02 03 20" + Hex.Pattern(32) + "03 20" + Hex.Pattern(32, 1) + "0002 0000" }, // two Ed25519 ids
        { (byte)RelayCommand.Extend2, "00" },                                      // no HTYPE
        { (byte)RelayCommand.Extend2, "00 0002" },                                 // no HLEN
        { (byte)RelayCommand.Extend2, "00 0002 0054" + Hex.Pattern(80) },          // HDATA short
        { (byte)RelayCommand.Extend2, "02 00 06 C00002012329" },                   // NSPEC 2, one
        // EXTENDED2, TRUNCATED
        { (byte)RelayCommand.Extended2, "" },
        { (byte)RelayCommand.Extended2, "00" },
        { (byte)RelayCommand.Extended2, "0040" + Hex.Pattern(63) },
        { (byte)RelayCommand.Truncated, "" },
        // RESOLVE: NUL-terminated, non-empty, printable
        { (byte)RelayCommand.Resolve, "" },
        { (byte)RelayCommand.Resolve, Hex.Ascii("example.com") },
        { (byte)RelayCommand.Resolve, "00" },
        { (byte)RelayCommand.Resolve, "6578 0A 00" },
        // RESOLVED
        { (byte)RelayCommand.Resolved, "04" },
        { (byte)RelayCommand.Resolved, "04 04" },
        { (byte)RelayCommand.Resolved, "04 04 C00002" },
        { (byte)RelayCommand.Resolved, "04 04 C0000201" },                         // no TTL
        { (byte)RelayCommand.Resolved, "04 04 C0000201 0000" },
        { (byte)RelayCommand.Resolved, "04 05 C000020101 00000000" },              // IPv4 of 5 bytes
        { (byte)RelayCommand.Resolved, "04 10 20010DB8000000000000000000000005 00000000" }, // IPv4 of 16 bytes
        { (byte)RelayCommand.Resolved, "06 04 C0000201 00000000" },                // IPv6 of 4 bytes
        { (byte)RelayCommand.Resolved, "06 10" + Hex.Pattern(15) },
        { (byte)RelayCommand.Resolved, "00 20" + Hex.Ascii("example.com") + "00000000" },
        { (byte)RelayCommand.Resolved, "04 04 C0000201 00000000 F0 00 00000000" }, // error with another answer
        { (byte)RelayCommand.Resolved, "F1 00 00000000 F0 00 00000000" },
    };

    [Theory]
    [MemberData(nameof(BadRelayData))]
    public void RelayDataIsRejected(byte command, string hex)
    {
        var data = Hex.Bytes(hex);
        var e = Assert.Throws<CellFormatException>(() => RelayMessage.Decode((RelayCommand)command, data));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        Assert.Throws<CellFormatException>(() => RelayMessage.Decode((RelayCommand)command, (ReadOnlyMemory<byte>)data));
    }

    [Fact]
    public void MessagesNameTheCellAndField()
    {
        var e = Assert.Throws<CellFormatException>(() => CertsCell.Decode(Hex.Bytes("01 02 0005 AABB")));
        Assert.Contains("CERTS", e.Message);
        Assert.Contains("CLEN", e.Message);
        e = Assert.Throws<CellFormatException>(() => Extend2Message.Decode(Hex.Bytes("01 00 05 C000020123 0002 0000")));
        Assert.Contains("EXTEND2", e.Message);
        Assert.Contains("LSLEN 5", e.Message);
        Assert.Contains("must be 6", e.Message);
        e = Assert.Throws<CellFormatException>(() => ResolvedMessage.Decode(Hex.Bytes("06 04 C0000201 00000000")));
        Assert.Contains("must be 16", e.Message);
    }

    public static TheoryData<int> UnencodableIndexes => new() { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };

    private static readonly Func<object>[] Unencodable =
    [
        () => new BeginMessage("", 80),
        () => new BeginMessage("example.com", 0),
        () => new BeginMessage("exa mple.com", 80),
        () => new BeginMessage("exämple.com", 80),
        () => new BeginMessage("a:b", 80),
        () => new BeginMessage("fe80::1%2", 80),
        () => new ResolveMessage(""),
        () => new ConnectedMessage(IPAddress.Any, 1),
        () => new EndMessage(EndReason.Done, IPAddress.Loopback, 1),
        () => new EndMessage(EndReason.ExitPolicy, null, 1),
        () => new SendmeMessage(1, new byte[19]),
        () => new Extend2Message([new IPv4LinkSpecifier(IPAddress.IPv6Loopback, 1)], HandshakeType.Ntor, default),
        () => new Extend2Message([new IPv6LinkSpecifier(IPAddress.Loopback, 1)], HandshakeType.Ntor, default),
        () => new Extend2Message([new LegacyIdLinkSpecifier(new RsaIdentity(new byte[20])), new LegacyIdLinkSpecifier(new RsaIdentity(new byte[20]))], HandshakeType.Ntor, default),
        () => new Extend2Message([new Ed25519IdLinkSpecifier(default), new Ed25519IdLinkSpecifier(default)], HandshakeType.Ntor, default),
        () => new ResolvedMessage([new ResolvedAnswer(ResolvedAnswerType.IPv4, new byte[5], 0)]),
        () => new ResolvedMessage([ResolvedAnswer.ForError(true), ResolvedAnswer.ForError(false)]),
        () => new AuthChallengeCell(new byte[31], []),
        () => new CreateFastCell(new byte[21]),
        () => new CertsCell([new CertsCellEntry(LinkCertType.RsaLink, new byte[1]), new CertsCellEntry(LinkCertType.RsaLink, new byte[1])]),
        () => new NetinfoCell(0, new NetinfoAddress(4, new byte[256]), []),
    ];

    [Theory]
    [MemberData(nameof(UnencodableIndexes))]
    public void ValuesTheWireCannotCarryAreRefusedOnEncode(int index)
    {
        var value = Unencodable[index]();
        var buf = new byte[ChannelFraming.MaxCellLength];
        Assert.Throws<CellFormatException>(() =>
        {
            switch (value)
            {
                case RelayMessage r: RelayCell.Encode(buf.AsSpan(0, RelayCell.BodyLength), 1, r); break;
                case ChannelMessage c: ChannelCellWriter.Write(buf, ChannelFraming.ForLinkVersion(4), 0, c); break;
            }
        });
    }
}
