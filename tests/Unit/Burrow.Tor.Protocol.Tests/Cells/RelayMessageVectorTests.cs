using System.Net;
using Burrow.Tor.Cells;
using Burrow.Tor.Identities;

namespace Burrow.Tor.Tests.Cells;

/// <summary>Relay message data written by hand from tor-spec 5.1.2, 5.4, 6.2-6.4, 7.3: decode, compare
/// fields, re-encode byte for byte, and the same through a whole 509-byte relay cell body.</summary>
public class RelayMessageVectorTests
{
    private static T RoundTrip<T>(RelayCommand command, string hex, ushort streamId = 1) where T : RelayMessage
    {
        var data = Hex.Bytes(hex);
        var message = Assert.IsType<T>(RelayMessage.Decode(command, data));
        Assert.Equal(command, message.Command);
        Assert.Equal(data.Length, message.EncodedLength);
        var again = new byte[message.EncodedLength];
        Assert.Equal(again.Length, message.Encode(again));
        Assert.Equal(Hex.Of(data), Hex.Of(again));

        // Through a relay cell body: header, data, zero padding, and back.
        var body = new byte[RelayCell.BodyLength];
        RelayCell.Encode(body, streamId, message, RelayPadding.Zero);
        var expectedBody = Hex.Padded($"{(byte)command:X2} 0000 {streamId:X4} 00000000 {data.Length:X4}" + hex);
        Assert.Equal(Hex.Of(expectedBody), Hex.Of(body));
        var fromCell = RelayMessage.Decode(command, RelayCell.Decode(body, out var header));
        Assert.Equal(streamId, header.StreamId);
        Assert.Equal(message, fromCell);
        return message;
    }

    [Fact]
    public void BeginHostnameWithFlags()
    {
        var m = RoundTrip<BeginMessage>(RelayCommand.Begin,
            Hex.Ascii("www.example.com:80") + "00" + "00000005");
        Assert.Equal("www.example.com", m.Host);
        Assert.Equal(80, m.Port);
        Assert.Equal(BeginFlags.IPv6Okay | BeginFlags.IPv6Preferred, m.Flags);
    }

    [Fact]
    public void BeginIPv6IsBracketed()
    {
        var m = RoundTrip<BeginMessage>(RelayCommand.Begin, Hex.Ascii("[2001:db8::1]:443") + "00" + "00000001");
        Assert.Equal("2001:db8::1", m.Host);
        Assert.Equal(443, m.Port);
        Assert.Equal(BeginFlags.IPv6Okay, m.Flags);
    }

    [Fact]
    public void BeginIPv4WithReservedFlagBitsKept()
    {
        var m = RoundTrip<BeginMessage>(RelayCommand.Begin, Hex.Ascii("192.0.2.7:65535") + "00" + "80000002");
        Assert.Equal("192.0.2.7", m.Host);
        Assert.Equal(65535, m.Port);
        Assert.Equal((BeginFlags)0x80000002, m.Flags);
    }

    [Fact]
    public void BeginWithoutFlagsAndInUpperCaseIsAccepted()
    {
        var m = BeginMessage.Decode(Hex.Bytes(Hex.Ascii("WWW.Example.COM:8080") + "00"));
        Assert.Equal(new BeginMessage("WWW.Example.COM", 8080, BeginFlags.None), m);
        // Bytes after FLAGS are ignored.
        Assert.Equal(m, BeginMessage.Decode(Hex.Bytes(Hex.Ascii("WWW.Example.COM:8080") + "00 00000000 FFFF")));
    }

    [Fact]
    public void BeginDirIsEmpty()
    {
        Assert.Same(BeginDirMessage.Instance, RoundTrip<BeginDirMessage>(RelayCommand.BeginDir, ""));
        Assert.Same(BeginDirMessage.Instance, BeginDirMessage.Decode(new byte[5])); // relays MUST ignore the payload
    }

    [Fact]
    public void ConnectedForms()
    {
        Assert.Null(RoundTrip<ConnectedMessage>(RelayCommand.Connected, "").Address);

        var v4 = RoundTrip<ConnectedMessage>(RelayCommand.Connected, "C0000201 00000E10");
        Assert.Equal(IPAddress.Parse("192.0.2.1"), v4.Address);
        Assert.Equal(3600u, v4.Ttl);

        var v6 = RoundTrip<ConnectedMessage>(RelayCommand.Connected,
            "00000000 06 20010DB8000000000000000000000002 0000012C");
        Assert.Equal(IPAddress.Parse("2001:db8::2"), v6.Address);
        Assert.Equal(300u, v6.Ttl);
    }

    [Fact]
    public void Data()
    {
        var m = RoundTrip<DataMessage>(RelayCommand.Data, Hex.Ascii("GET / HTTP/1.0\r\n\r\n"), streamId: 0xBEEF);
        Assert.Equal("GET / HTTP/1.0\r\n\r\n"u8.ToArray(), m.Data.ToArray());
        RoundTrip<DataMessage>(RelayCommand.Data, Hex.Pattern(498));
    }

    [Theory]
    [InlineData("01", EndReason.Misc)]
    [InlineData("02", EndReason.ResolveFailed)]
    [InlineData("03", EndReason.ConnectRefused)]
    [InlineData("06", EndReason.Done)]
    [InlineData("0C", EndReason.ConnReset)]
    [InlineData("0E", EndReason.NotDirectory)]
    [InlineData("63", (EndReason)99)]
    internal void EndReasons(string hex, EndReason reason)
    {
        var m = RoundTrip<EndMessage>(RelayCommand.End, hex);
        Assert.Equal(reason, m.Reason);
        Assert.Null(m.Address);
    }

    [Fact]
    public void EndExitPolicyWithAddressAndTtl()
    {
        var v4 = RoundTrip<EndMessage>(RelayCommand.End, "04 C0000201 00000E10");
        Assert.Equal(new EndMessage(EndReason.ExitPolicy, IPAddress.Parse("192.0.2.1"), 3600), v4);

        var v6 = RoundTrip<EndMessage>(RelayCommand.End, "04 20010DB8000000000000000000000003 00000001");
        Assert.Equal(IPAddress.Parse("2001:db8::3"), v6.Address);
        Assert.Equal(1u, v6.EffectiveTtl);

        // TTL absent: treated as 0xFFFFFFFF.
        var noTtl = RoundTrip<EndMessage>(RelayCommand.End, "04 C0000201");
        Assert.Null(noTtl.Ttl);
        Assert.Equal(uint.MaxValue, noTtl.EffectiveTtl);
    }

    [Theory]
    [InlineData("")]        // empty END means REASON_MISC
    [InlineData("04 C000")] // address of the wrong length: processed anyway
    [InlineData("04 C0000201 0000")]
    internal void EndIsLenient(string hex)
    {
        var m = EndMessage.Decode(Hex.Bytes(hex));
        Assert.Null(m.Address);
        Assert.Equal(hex.Length == 0 ? EndReason.Misc : EndReason.ExitPolicy, m.Reason);
    }

    [Fact]
    public void SendmeVersions()
    {
        Assert.Same(SendmeMessage.Legacy, RoundTrip<SendmeMessage>(RelayCommand.Sendme, "", streamId: 5));
        // Version 0's payload is ignored.
        Assert.Same(SendmeMessage.Legacy, SendmeMessage.Decode(Hex.Bytes("00 0003 AABBCC")));

        var v1 = RoundTrip<SendmeMessage>(RelayCommand.Sendme, "01 0014" + Hex.Pattern(20, 0xE0), streamId: 0);
        Assert.Equal(1, v1.Version);
        Assert.Equal(Hex.Pattern(20, 0xE0), Hex.Of(v1.Digest.Span));
        Assert.Equal(v1, SendmeMessage.Authenticated(Hex.PatternBytes(20, 0xE0)));

        // DATA_LEN over 20: the first 20 bytes are the digest.
        var longer = RoundTrip<SendmeMessage>(RelayCommand.Sendme, "01 0016" + Hex.Pattern(22), streamId: 0);
        Assert.Equal(Hex.Pattern(20), Hex.Of(longer.Digest.Span));

        // Unknown versions are kept so the circuit can refuse them.
        var v2 = RoundTrip<SendmeMessage>(RelayCommand.Sendme, "02 0002 ABCD", streamId: 0);
        Assert.Equal(2, v2.Version);
        Assert.Throws<InvalidOperationException>(() => v2.Digest);
    }

    [Fact]
    public void Extend2WithFourLinkSpecifiers()
    {
        var rsaId = Hex.Pattern(20, 0xA0);
        var edId = Hex.Pattern(32, 0xC0);
        var m = RoundTrip<Extend2Message>(RelayCommand.Extend2,
            "04" +                                                 // NSPEC
            "00 06 C0000201 2329" +                                // IPv4 192.0.2.1:9001
            "02 14" + rsaId +                                      // legacy identity
            "03 20" + edId +                                       // Ed25519 identity
            "01 12 20010DB8000000000000000000000001 2329" +        // IPv6 [2001:db8::1]:9001
            "0002 0054" + Hex.Pattern(84),                         // ntor onionskin
            streamId: 0);
        Assert.Equal(4, m.LinkSpecifiers.Count);
        Assert.Equal(new IPv4LinkSpecifier(IPAddress.Parse("192.0.2.1"), 9001), m.LinkSpecifiers[0]);
        Assert.Equal(rsaId, Hex.Of(Assert.IsType<LegacyIdLinkSpecifier>(m.LinkSpecifiers[1]).Id.ToArray()));
        Assert.Equal(edId, Hex.Of(Assert.IsType<Ed25519IdLinkSpecifier>(m.LinkSpecifiers[2]).Id.ToArray()));
        Assert.Equal(new IPv6LinkSpecifier(IPAddress.Parse("2001:db8::1"), 9001), m.LinkSpecifiers[3]);
        Assert.Equal(HandshakeType.Ntor, m.HandshakeType);
        Assert.Equal(Hex.Pattern(84), Hex.Of(m.HandshakeData.Span));

        var built = new Extend2Message(
            [
                new IPv4LinkSpecifier(IPAddress.Parse("192.0.2.1"), 9001),
                new LegacyIdLinkSpecifier(new RsaIdentity(Hex.Bytes(rsaId))),
                new Ed25519IdLinkSpecifier(new Ed25519Identity(Hex.Bytes(edId))),
                new IPv6LinkSpecifier(IPAddress.Parse("2001:db8::1"), 9001),
            ],
            HandshakeType.Ntor, Hex.PatternBytes(84));
        Assert.Equal(m, built);
    }

    [Fact]
    public void Extend2KeepsUnknownLinkSpecifiersAndRepeatedAddresses()
    {
        var m = RoundTrip<Extend2Message>(RelayCommand.Extend2,
            "04" +
            "00 06 C0000201 2329" +
            "00 06 C0000202 01BB" +        // a second IPv4 is allowed
            "07 03 ABCDEF" +               // unknown type 7
            "FF 00" +                      // unknown type 255, empty
            "0003 0002 1234",              // ntor v3, 2 bytes
            streamId: 0);
        Assert.Equal(new UnknownLinkSpecifier(7, Hex.Bytes("ABCDEF")), m.LinkSpecifiers[2]);
        Assert.Equal((LinkSpecifierType)255, m.LinkSpecifiers[3].Type);
        Assert.Equal(HandshakeType.NtorV3, m.HandshakeType);
    }

    [Fact]
    public void Extended2()
    {
        var m = RoundTrip<Extended2Message>(RelayCommand.Extended2, "0040" + Hex.Pattern(64, 0x11), streamId: 0);
        Assert.Equal(Hex.Pattern(64, 0x11), Hex.Of(m.HandshakeData.Span));
    }

    [Fact]
    public void TruncateAndTruncated()
    {
        Assert.Same(TruncateMessage.Instance, RoundTrip<TruncateMessage>(RelayCommand.Truncate, "", streamId: 0));
        Assert.Equal(DestroyReason.ConnectFailed, RoundTrip<TruncatedMessage>(RelayCommand.Truncated, "06", streamId: 0).Reason);
    }

    [Fact]
    public void Drop()
    {
        Assert.Same(DropMessage.Instance, RoundTrip<DropMessage>(RelayCommand.Drop, "", streamId: 0));
        Assert.Same(DropMessage.Instance, DropMessage.Decode(Hex.PatternBytes(100))); // long-range padding: content ignored
    }

    [Fact]
    public void Resolve()
    {
        Assert.Equal("example.com", RoundTrip<ResolveMessage>(RelayCommand.Resolve, Hex.Ascii("example.com") + "00").Hostname);
        Assert.Equal("1.2.0.192.in-addr.arpa",
            RoundTrip<ResolveMessage>(RelayCommand.Resolve, Hex.Ascii("1.2.0.192.in-addr.arpa") + "00").Hostname);
    }

    [Fact]
    public void ResolvedWithThreeAnswers()
    {
        var m = RoundTrip<ResolvedMessage>(RelayCommand.Resolved,
            "04 04 C0000205 0000012C" +                                 // IPv4 192.0.2.5, TTL 300
            "06 10 20010DB8000000000000000000000005 00000E10" +         // IPv6 2001:db8::5, TTL 3600
            "00 0B" + Hex.Ascii("example.com") + "00015180");           // hostname, TTL 86400
        Assert.Equal(3, m.Answers.Count);
        Assert.Equal(ResolvedAnswerType.IPv4, m.Answers[0].Type);
        Assert.Equal(IPAddress.Parse("192.0.2.5"), m.Answers[0].Address);
        Assert.Equal(300u, m.Answers[0].Ttl);
        Assert.Equal(IPAddress.Parse("2001:db8::5"), m.Answers[1].Address);
        Assert.Equal(3600u, m.Answers[1].Ttl);
        Assert.Equal("example.com", m.Answers[2].Hostname);
        Assert.Null(m.Answers[2].Address);
        Assert.Equal(86400u, m.Answers[2].Ttl);
        Assert.Equal(m, new ResolvedMessage(
        [
            ResolvedAnswer.ForAddress(IPAddress.Parse("192.0.2.5"), 300),
            ResolvedAnswer.ForAddress(IPAddress.Parse("2001:db8::5"), 3600),
            ResolvedAnswer.ForHostname("example.com", 86400),
        ]));
    }

    [Theory]
    [InlineData("F0", true)]
    [InlineData("F1", false)]
    public void ResolvedError(string type, bool transient)
    {
        var m = RoundTrip<ResolvedMessage>(RelayCommand.Resolved, type + "18" + Hex.Ascii("Error resolving hostname") + "00000000");
        var a = Assert.Single(m.Answers);
        Assert.True(a.IsError);
        Assert.Equal(transient ? ResolvedAnswerType.TransientError : ResolvedAnswerType.NontransientError, a.Type);
        Assert.Equal(m, new ResolvedMessage([ResolvedAnswer.ForError(transient)]));
    }

    [Fact]
    public void ResolvedKeepsUnknownAnswerTypesAndEmptyLists()
    {
        var m = RoundTrip<ResolvedMessage>(RelayCommand.Resolved, "07 02 ABCD 00000001");
        Assert.Equal((ResolvedAnswerType)7, Assert.Single(m.Answers).Type);
        Assert.Empty(RoundTrip<ResolvedMessage>(RelayCommand.Resolved, "").Answers);
    }

    [Theory]
    [InlineData(6)]   // legacy EXTEND
    [InlineData(7)]   // legacy EXTENDED
    [InlineData(40)]  // conflux LINK
    [InlineData(37)]  // onion-service RENDEZVOUS2
    [InlineData(250)]
    public void OtherCommandsAreKeptRaw(byte command)
    {
        var m = RoundTrip<UnknownRelayMessage>((RelayCommand)command, "0102030405", streamId: 0);
        Assert.Equal("0102030405", Hex.Of(m.Data.Span));
    }
}
