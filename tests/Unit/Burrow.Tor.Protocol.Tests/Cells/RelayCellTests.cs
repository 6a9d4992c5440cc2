using Burrow.Tor.Cells;

namespace Burrow.Tor.Tests.Cells;

public class RelayCellTests
{
    [Fact]
    public void DecodesHeaderAndData()
    {
        // RELAY_DATA, recognized 0, StreamID 0x1234, digest 0xA1B2C3D4, Length 5, "hello", padding.
        var body = Hex.Padded("02 0000 1234 A1B2C3D4 0005" + Hex.Ascii("hello") + "00000000 5A5A5A");
        var data = RelayCell.Decode(body, out var h);
        Assert.Equal(new RelayHeader(RelayCommand.Data, 0, 0x1234, 0xA1B2C3D4, 5), h);
        Assert.Equal("hello"u8.ToArray(), data.ToArray());
    }

    [Fact]
    public void MemoryDecodeSlicesWithoutCopying()
    {
        var body = Hex.Padded("02 0000 0001 00000000 0003 414243");
        var data = RelayCell.Decode((ReadOnlyMemory<byte>)body, out _);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data, out var seg));
        Assert.Same(body, seg.Array);
        Assert.Equal(11, seg.Offset);
        var message = Assert.IsType<DataMessage>(RelayMessage.Decode(RelayCommand.Data, data));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(message.Data, out var seg2));
        Assert.Same(body, seg2.Array);
    }

    [Fact]
    public void EncodesBeginWithZeroPadding()
    {
        var body = new byte[509];
        RelayCell.Encode(body, 1, new BeginMessage("www.example.com", 80), RelayPadding.Zero);
        // Length 0x0017: 19 bytes of ADDRPORT with its NUL, 4 bytes of FLAGS.
        var expected = Hex.Padded("01 0000 0001 00000000 0017" + Hex.Ascii("www.example.com:80") + "00" + "00000000");
        Assert.Equal(Hex.Of(expected), Hex.Of(body));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(400)]
    [InlineData(494)]
    [InlineData(495)]
    [InlineData(497)]
    [InlineData(498)]
    public void PaddingIsFourZeroBytesThenRandom(int dataLength)
    {
        var data = Hex.PatternBytes(dataLength, 1);
        var a = new byte[509];
        var b = new byte[509];
        RelayCell.Encode(a, RelayCommand.Data, 7, data);
        RelayCell.Encode(b, RelayCommand.Data, 7, data);
        var padStart = 11 + dataLength;
        var zeros = Math.Min(4, 509 - padStart);
        Assert.True(a.AsSpan(padStart, zeros).IndexOfAnyExcept((byte)0) < 0);
        var random = 509 - padStart - zeros;
        if (random >= 16)
        {
            // 16+ random bytes: equal or all-zero only with negligible probability.
            Assert.False(a.AsSpan(padStart + zeros).SequenceEqual(b.AsSpan(padStart + zeros)));
            Assert.True(a.AsSpan(padStart + zeros).IndexOfAnyExcept((byte)0) >= 0);
        }
        Assert.Equal(a.AsSpan(0, padStart).ToArray(), b.AsSpan(0, padStart).ToArray());
        Assert.Equal(data, RelayCell.Decode(a, out var h).ToArray());
        Assert.Equal(0, h.Recognized);
        Assert.Equal(0u, h.Digest);
    }

    [Fact]
    public void DataAreaAndSealLetTheCallerFillInPlace()
    {
        var body = new byte[509];
        var area = RelayCell.DataArea(body);
        Assert.Equal(498, area.Length);
        "abc"u8.CopyTo(area);
        RelayCell.Seal(body, RelayCommand.Data, 9, 3, RelayPadding.Zero);
        Assert.Equal(Hex.Of(Hex.Padded("02 0000 0009 00000000 0003 616263")), Hex.Of(body));
        RelayCell.DigestField(body).Fill(0xAB);
        Assert.Equal(0xABABABABu, RelayCell.ReadHeader(body).Digest);
    }

    [Fact]
    public void MaximumDataFits()
    {
        var body = new byte[509];
        RelayCell.Encode(body, 1, new DataMessage(Hex.PatternBytes(498)));
        Assert.Equal(498, RelayCell.ReadHeader(body).Length);
    }

    [Theory]
    [InlineData("02 0000 0001 00000000 01F3")] // Length 499
    [InlineData("02 0000 0001 00000000 01FD")] // Length 509
    [InlineData("02 0000 0001 00000000 FFFF")]
    public void LengthBeyond498IsRejected(string header)
    {
        var e = Assert.Throws<CellFormatException>(() => RelayCell.ReadHeader(Hex.Padded(header)));
        Assert.Contains("498", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    [InlineData(508)]
    [InlineData(510)]
    public void BodyMustBePayloadLen(int length) =>
        Assert.Throws<CellFormatException>(() => RelayCell.ReadHeader(new byte[length]));

    [Fact]
    public void EncodeRejectsOversizeMessagesAndWrongBuffers()
    {
        Assert.Throws<CellFormatException>(() => RelayCell.Encode(new byte[509], 1, new DataMessage(new byte[499])));
        Assert.Throws<CellFormatException>(() => RelayCell.Encode(new byte[509], RelayCommand.Data, 1, new byte[499]));
        Assert.Throws<CellFormatException>(() => RelayCell.Seal(new byte[509], RelayCommand.Data, 1, 499));
        Assert.Throws<CellFormatException>(() => RelayCell.Encode(new byte[509], 1, new BeginMessage(new string('a', 490), 443)));
        Assert.Throws<ArgumentException>(() => RelayCell.Encode(new byte[508], 1, DropMessage.Instance));
    }

    [Theory]
    [InlineData((byte)RelayCommand.Begin, 0, false)]
    [InlineData((byte)RelayCommand.Begin, 1, true)]
    [InlineData((byte)RelayCommand.Data, 0, false)]
    [InlineData((byte)RelayCommand.Resolve, 0, false)]
    [InlineData((byte)RelayCommand.BeginDir, 3, true)]
    [InlineData((byte)RelayCommand.Extend2, 0, true)]
    [InlineData((byte)RelayCommand.Extend2, 1, false)]
    [InlineData((byte)RelayCommand.Truncated, 5, false)]
    [InlineData((byte)RelayCommand.Drop, 0, true)]
    [InlineData((byte)RelayCommand.Sendme, 0, true)]
    [InlineData((byte)RelayCommand.Sendme, 4, true)]
    [InlineData(200, 4, true)]
    public void StreamIdRules(byte command, ushort streamId, bool ok)
    {
        if (ok)
            RelayMessage.CheckStreamId((RelayCommand)command, streamId);
        else
            Assert.Throws<CellFormatException>(() => RelayMessage.CheckStreamId((RelayCommand)command, streamId));
    }
}
