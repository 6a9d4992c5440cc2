using System.Net;
using Burrow.Tor.Cells;

namespace Burrow.Tor.Tests.Cells;

/// <summary>Whole cells written by hand from tor-spec 3, 4, 5.1, 5.4: decode, compare fields, re-encode
/// byte for byte (fixed cells including their NUL padding).</summary>
public class ChannelCellVectorTests
{
    private static readonly ChannelFraming V4 = ChannelFraming.ForLinkVersion(4);

    /// <summary>Reads exactly one cell from <paramref name="hex"/>, decodes it, re-encodes it and checks the bytes.</summary>
    private static T RoundTrip<T>(string hex, ChannelFraming framing, uint expectedCircId) where T : ChannelMessage
    {
        var wire = Hex.Bytes(hex);
        Assert.True(ChannelCellReader.TryRead(wire, framing, out var cell, out var consumed));
        Assert.Equal(wire.Length, consumed);
        Assert.Equal(expectedCircId, cell.CircId);
        var message = Assert.IsType<T>(ChannelMessage.Decode(cell.Command, cell.Body));

        var again = new byte[ChannelCellWriter.GetCellLength(framing, message)];
        Assert.Equal(again.Length, ChannelCellWriter.Write(again, framing, cell.CircId, message));
        Assert.Equal(Hex.Of(wire), Hex.Of(again));
        return message;
    }

    private static string Fixed(string circId, string command, string body) => circId + command + Hex.Of(Hex.Padded(body));

    [Fact]
    public void Versions()
    {
        var m = RoundTrip<VersionsCell>("0000 07 0004 0004 0005", ChannelFraming.Initial, 0);
        Assert.Equal(new ushort[] { 4, 5 }, m.Versions);
        // A later VERSIONS cell uses the negotiated framing.
        Assert.Equal(new ushort[] { 4 }, RoundTrip<VersionsCell>("00000000 07 0002 0004", V4, 0).Versions);
    }

    [Fact]
    public void Certs()
    {
        var m = RoundTrip<CertsCell>(
            "00000000 81 000F" +
            "03" +                  // N
            "02 0003 AABBCC" +      // RSA identity, 3 bytes
            "04 0002 DDEE" +        // Ed25519 signing, 2 bytes
            "07 0000",              // cross-cert, empty
            V4, 0);
        Assert.Equal(3, m.Certificates.Count);
        Assert.Equal(LinkCertType.RsaIdentity, m.Certificates[0].Type);
        Assert.Equal("AABBCC", Hex.Of(m.Certificates[0].Certificate.Span));
        Assert.Equal(LinkCertType.Ed25519Signing, m.Certificates[1].Type);
        Assert.Equal("DDEE", Hex.Of(m.Certificates[1].Certificate.Span));
        Assert.Equal(LinkCertType.RsaEd25519CrossCert, m.Certificates[2].Type);
        Assert.True(m.Certificates[2].Certificate.IsEmpty);
        Assert.Same(m.Certificates[1], m.Find(LinkCertType.Ed25519Signing));
        Assert.Null(m.Find(LinkCertType.Ed25519Link));
    }

    [Fact]
    public void CertsIgnoresExtraBytesAtTheEnd()
    {
        var m = CertsCell.Decode(Hex.Bytes("01 05 0001 AA 0000 FFFF"));
        Assert.Equal(new CertsCellEntry(LinkCertType.Ed25519Link, new byte[] { 0xAA }), Assert.Single(m.Certificates));
    }

    [Fact]
    public void AuthChallenge()
    {
        var m = RoundTrip<AuthChallengeCell>(
            "00000000 82 0026" + Hex.Pattern(32, 0x40) + "0002 0001 0003", V4, 0);
        Assert.Equal(Hex.Pattern(32, 0x40), Hex.Of(m.Challenge.Span));
        Assert.Equal(new ushort[] { 1, 3 }, m.Methods);
        // Initiators MUST ignore unexpected bytes at the end.
        Assert.Equal(m, AuthChallengeCell.Decode(Hex.Bytes(Hex.Pattern(32, 0x40) + "0002 0001 0003 DEADBEEF")));
    }

    [Fact]
    public void Authenticate()
    {
        var m = RoundTrip<AuthenticateCell>("00000000 83 0008 0003 0004 01020304", V4, 0);
        Assert.Equal(3, m.AuthType);
        Assert.Equal("01020304", Hex.Of(m.Authentication.Span));
    }

    [Fact]
    public void VPadding()
    {
        Assert.Equal(3, RoundTrip<VPaddingCell>("00000000 80 0003 000000", V4, 0).Length);
        Assert.Equal(0, RoundTrip<VPaddingCell>("0000 80 0000", ChannelFraming.Initial, 0).Length);
    }

    [Fact]
    public void Padding() =>
        Assert.Same(PaddingCell.Instance, RoundTrip<PaddingCell>(Fixed("00000000", "00", ""), V4, 0));

    [Fact]
    public void NetinfoWithIPv4AndIPv6()
    {
        var m = RoundTrip<NetinfoCell>(Fixed("00000000", "08",
            "654A2B00" +                                    // TIME
            "04 04 7F000001" +                              // OTHERADDR 127.0.0.1
            "02" +                                          // NMYADDR
            "04 04 C0000201" +                              // 192.0.2.1
            "06 10 20010DB8000000000000000000000001"),      // 2001:db8::1
            V4, 0);
        Assert.Equal(0x654A2B00u, m.Timestamp);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(0x654A2B00), m.Time);
        Assert.Equal(IPAddress.Loopback, m.OtherAddress.Address);
        Assert.Equal(2, m.MyAddresses.Count);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), m.MyAddresses[0].Address);
        Assert.Equal(IPAddress.Parse("2001:db8::1"), m.MyAddresses[1].Address);
        Assert.Equal(m, new NetinfoCell(0x654A2B00, NetinfoAddress.From(IPAddress.Loopback),
            [NetinfoAddress.From(IPAddress.Parse("192.0.2.1")), NetinfoAddress.From(IPAddress.Parse("2001:db8::1"))]));
    }

    [Fact]
    public void NetinfoKeepsUnknownAndMislabelledAddressesButIgnoresThem()
    {
        var m = RoundTrip<NetinfoCell>(Fixed("00000000", "08",
            "00000000" +
            "05 03 AABBCC" +                                // unknown type 5
            "03" +
            "04 10 20010DB8000000000000000000000001" +      // says IPv4 but 16 bytes
            "06 04 C0000201" +                              // says IPv6 but 4 bytes
            "04 00"),                                       // IPv4 of length 0
            V4, 0);
        Assert.Equal(5, m.OtherAddress.Type);
        Assert.Null(m.OtherAddress.Address);
        Assert.All(m.MyAddresses, a => Assert.Null(a.Address));
        Assert.Equal(16, m.MyAddresses[0].Value.Length);
    }

    [Fact]
    public void Create2Ntor()
    {
        // HTYPE 0002 (ntor), HLEN 0054 (84 = NODEID 20 + KEYID 32 + CLIENT_PK 32).
        var m = RoundTrip<Create2Cell>(Fixed("80000001", "0A", "0002 0054" + Hex.Pattern(84)), V4, 0x80000001);
        Assert.Equal(HandshakeType.Ntor, m.HandshakeType);
        Assert.Equal(Hex.Pattern(84), Hex.Of(m.HandshakeData.Span));
    }

    [Fact]
    public void Create2KeepsUnknownHandshakeTypes()
    {
        var m = RoundTrip<Create2Cell>(Fixed("80000001", "0A", "1234 0001 FF"), V4, 0x80000001);
        Assert.Equal((HandshakeType)0x1234, m.HandshakeType);
    }

    [Fact]
    public void Created2()
    {
        // HLEN 0040 (64 = SERVER_PK 32 + AUTH 32).
        var m = RoundTrip<Created2Cell>(Fixed("80000001", "0B", "0040" + Hex.Pattern(64, 0x80)), V4, 0x80000001);
        Assert.Equal(Hex.Pattern(64, 0x80), Hex.Of(m.HandshakeData.Span));
    }

    [Fact]
    public void CreateFastAndCreatedFast()
    {
        var c = RoundTrip<CreateFastCell>(Fixed("80000002", "05", Hex.Pattern(20)), V4, 0x80000002);
        Assert.Equal(Hex.Pattern(20), Hex.Of(c.KeyMaterial.Span));
        var d = RoundTrip<CreatedFastCell>(Fixed("80000002", "06", Hex.Pattern(20, 0x30) + Hex.Pattern(20, 0x60)), V4, 0x80000002);
        Assert.Equal(Hex.Pattern(20, 0x30), Hex.Of(d.KeyMaterial.Span));
        Assert.Equal(Hex.Pattern(20, 0x60), Hex.Of(d.DerivativeKeyData.Span));
    }

    [Theory]
    [InlineData("00", DestroyReason.None)]
    [InlineData("01", DestroyReason.Protocol)]
    [InlineData("03", DestroyReason.Requested)]
    [InlineData("07", DestroyReason.OrIdentity)]
    [InlineData("08", DestroyReason.ChannelClosed)]
    [InlineData("0B", DestroyReason.Destroyed)]
    [InlineData("0C", DestroyReason.NoSuchService)]
    [InlineData("C8", (DestroyReason)200)]
    internal void Destroy(string reasonHex, DestroyReason reason) =>
        Assert.Equal(reason, RoundTrip<DestroyCell>(Fixed("80000003", "04", reasonHex), V4, 0x80000003).Reason);

    [Fact]
    public void PaddingNegotiate()
    {
        var m = RoundTrip<PaddingNegotiateCell>(Fixed("00000000", "0C", "00 02 05DC 2328"), V4, 0);
        Assert.Equal(new PaddingNegotiateCell(0, PaddingNegotiateCell.Start, 1500, 9000), m);
    }

    [Fact]
    public void RelayAndRelayEarlyBodiesPassThrough()
    {
        var body = Hex.Pattern(509, 9);
        Assert.False(RoundTrip<RelayChannelMessage>("80000004 03" + body, V4, 0x80000004).Early);
        Assert.True(RoundTrip<RelayChannelMessage>("80000004 09" + body, V4, 0x80000004).Early);
    }

    [Fact]
    public void UnknownCommandsAreKeptRaw()
    {
        var m = RoundTrip<UnknownChannelMessage>("00000000 FE 0002 ABCD", V4, 0);
        Assert.Equal((ChannelCommand)0xFE, m.Command);
        Assert.Equal("ABCD", Hex.Of(m.Body.Span));
        var create = RoundTrip<UnknownChannelMessage>(Fixed("80000005", "01", Hex.Pattern(186)), V4, 0x80000005);
        Assert.Equal(ChannelCommand.Create, create.Command);
        Assert.Equal(509, create.Body.Length);
        Assert.Equal(ChannelCommand.Authorize, RoundTrip<UnknownChannelMessage>("0000 84 0001 00", ChannelFraming.Initial, 0).Command);
    }

    [Fact]
    public void RecordsCompareByContent()
    {
        Assert.Equal(new Create2Cell(HandshakeType.Ntor, new byte[] { 1, 2 }), new Create2Cell(HandshakeType.Ntor, new byte[] { 1, 2 }));
        Assert.NotEqual(new Create2Cell(HandshakeType.Ntor, new byte[] { 1, 2 }), new Create2Cell(HandshakeType.Ntor, new byte[] { 1, 3 }));
        Assert.Equal(new VersionsCell([4, 5]).GetHashCode(), new VersionsCell(new List<ushort> { 4, 5 }).GetHashCode());
        Assert.Equal(new VersionsCell([4, 5]), new VersionsCell(new List<ushort> { 4, 5 }));
    }
}
