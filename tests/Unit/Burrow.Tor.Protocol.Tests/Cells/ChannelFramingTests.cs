using System.Buffers;
using Burrow.Tor.Cells;

namespace Burrow.Tor.Tests.Cells;

public class ChannelFramingTests
{
    private static readonly ChannelFraming V4 = ChannelFraming.ForLinkVersion(4);

    [Fact]
    public void FramingSizesFollowTheLinkVersion()
    {
        Assert.Equal(514, V4.FixedCellLength);
        Assert.Equal(514, ChannelFraming.ForLinkVersion(5).FixedCellLength);
        Assert.Equal(512, ChannelFraming.Initial.FixedCellLength);
        Assert.Equal(7, V4.VariableHeaderLength);
        Assert.Equal(5, ChannelFraming.Initial.VariableHeaderLength);
        Assert.Throws<ArgumentOutOfRangeException>(() => ChannelFraming.ForLinkVersion(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChannelFraming.ForLinkVersion(6));
    }

    [Theory]
    [InlineData((byte)ChannelCommand.Versions, true)]
    [InlineData((byte)ChannelCommand.VPadding, true)]
    [InlineData((byte)ChannelCommand.Certs, true)]
    [InlineData((byte)ChannelCommand.AuthChallenge, true)]
    [InlineData((byte)ChannelCommand.Authenticate, true)]
    [InlineData((byte)ChannelCommand.Authorize, true)]
    [InlineData(200, true)]
    [InlineData((byte)ChannelCommand.Padding, false)]
    [InlineData((byte)ChannelCommand.Relay, false)]
    [InlineData((byte)ChannelCommand.Netinfo, false)]
    [InlineData((byte)ChannelCommand.Create2, false)]
    [InlineData(127, false)]
    public void VariableLengthIsVersionsOrCommand128AndUp(byte command, bool variable) =>
        Assert.Equal(variable, ChannelFraming.IsVariableLength((ChannelCommand)command));

    [Fact]
    public void InitialVersionsCellUsesTwoByteCircuitIds()
    {
        // CircID 0000, command 07, length 0006, versions 3, 4, 5 (tor-spec 3, 4.1).
        var wire = Hex.Bytes("0000 07 0006 0003 0004 0005");
        Assert.True(ChannelCellReader.TryRead(wire, ChannelFraming.Initial, out var cell, out var consumed));
        Assert.Equal(wire.Length, consumed);
        Assert.Equal(0u, cell.CircId);
        Assert.Equal(ChannelCommand.Versions, cell.Command);
        var versions = VersionsCell.Decode(cell.Body);
        Assert.Equal(new ushort[] { 3, 4, 5 }, versions.Versions);

        var buf = new byte[ChannelFraming.MaxCellLength];
        var n = ChannelCellWriter.Write(buf, ChannelFraming.Initial, 0, new VersionsCell([3, 4, 5]));
        Assert.Equal(Hex.Of(wire), Hex.Of(buf.AsSpan(0, n)));
    }

    [Fact]
    public void FixedCellIs514BytesWithFourByteCircuitId()
    {
        var wire = Hex.Bytes("80000001 04" + Hex.Of(Hex.Padded("08")));
        Assert.Equal(514, wire.Length);
        Assert.True(ChannelCellReader.TryRead(wire, V4, out var cell, out var consumed));
        Assert.Equal(514, consumed);
        Assert.Equal(0x80000001u, cell.CircId);
        Assert.Equal(ChannelCommand.Destroy, cell.Command);
        Assert.Equal(509, cell.Body.Length);
        Assert.Equal(DestroyReason.ChannelClosed, DestroyCell.Decode(cell.Body).Reason);
    }

    [Fact]
    public void ReaderAsksForMoreUntilTheCellIsComplete()
    {
        var fixedCell = Hex.Bytes("00000005 00" + Hex.Of(new byte[509]));
        var variable = Hex.Bytes("00000000 80 0010" + Hex.Pattern(16));
        foreach (var wire in new[] { fixedCell, variable })
        {
            for (var len = 0; len < wire.Length; len++)
            {
                Assert.False(ChannelCellReader.TryRead(wire.AsSpan(0, len), V4, out _, out var consumed));
                Assert.Equal(0, consumed);
                Assert.False(ChannelCellReader.TryRead(new ReadOnlySequence<byte>(wire, 0, len), V4, out _));
                if (len > 0)
                    Assert.False(ChannelCellReader.TryRead(Hex.Segmented(wire[..len], 1, 2, 3), V4, out _));
            }
            Assert.True(ChannelCellReader.TryRead(wire, V4, out _, out var all));
            Assert.Equal(wire.Length, all);
        }
    }

    [Fact]
    public void VariableCellWithEmptyBodyNeedsOnlyItsHeader()
    {
        var wire = Hex.Bytes("00000000 80 0000");
        Assert.True(ChannelCellReader.TryRead(wire, V4, out var cell, out var consumed));
        Assert.Equal(7, consumed);
        Assert.Equal(ChannelCommand.VPadding, cell.Command);
        Assert.True(cell.Body.IsEmpty);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(600)]
    public void ReadsCellsFromMultiSegmentSequences(int segmentSize)
    {
        var messages = new ChannelMessage[]
        {
            new CertsCell([new CertsCellEntry(LinkCertType.RsaIdentity, Hex.PatternBytes(300))]),
            new DestroyCell(DestroyReason.Finished),
            new VPaddingCell(0),
            new NetinfoCell(0, NetinfoAddress.From(System.Net.IPAddress.Loopback), []),
            new RelayChannelMessage(true, Hex.PatternBytes(509, 7)),
        };
        var writer = new ArrayBufferWriter<byte>();
        foreach (var m in messages)
            ChannelCellWriter.Write(writer, V4, 0x80000042, m);
        var buffer = Hex.Segmented(writer.WrittenSpan.ToArray(), segmentSize);

        var scratch = new byte[ChannelFraming.MaxVariableBodyLength];
        var decoded = new List<ChannelMessage>();
        while (ChannelCellReader.TryRead(buffer, V4, out var frame))
        {
            Assert.Equal(0x80000042u, frame.CircId);
            Assert.Equal(frame.Length, (int)buffer.Slice(0, frame.End).Length);
            decoded.Add(ChannelMessage.Decode(frame.Command, frame.GetBody(scratch)));
            buffer = buffer.Slice(frame.End);
        }
        Assert.Equal(0, buffer.Length);
        Assert.Equal(messages, decoded);
    }

    [Fact]
    public void SingleSegmentBodyIsNotCopied()
    {
        var wire = new byte[514];
        wire[4] = (byte)ChannelCommand.Relay;
        Assert.True(ChannelCellReader.TryRead(new ReadOnlySequence<byte>(wire), V4, out var frame));
        var body = frame.GetBody(Span<byte>.Empty);
        Assert.True(System.Runtime.CompilerServices.Unsafe.AreSame(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(body), ref wire[5]));
        // A split body needs scratch space.
        Assert.True(ChannelCellReader.TryRead(Hex.Segmented(wire, 100), V4, out var split));
        Assert.Throws<ArgumentException>(() => split.GetBody(new byte[508]).Length);
    }

    [Fact]
    public void WriterPadsFixedCellsWithNul()
    {
        var buf = new byte[514];
        buf.AsSpan().Fill(0xEE);
        var n = ChannelCellWriter.Write(buf, V4, 0x80000001, new DestroyCell(DestroyReason.None));
        Assert.Equal(514, n);
        Assert.Equal("8000000104", Hex.Of(buf.AsSpan(0, 5)));
        Assert.True(buf.AsSpan(5).IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void WriteRawFramesAnEncryptedRelayBody()
    {
        var body = Hex.PatternBytes(509, 3);
        var writer = new ArrayBufferWriter<byte>();
        ChannelCellWriter.WriteRaw(writer, V4, 0x80000007, ChannelCommand.RelayEarly, body);
        Assert.Equal("8000000709" + Hex.Of(body), Hex.Of(writer.WrittenSpan));
    }

    [Fact]
    public void WriterRejectsWhatTheFramingCannotCarry()
    {
        var buf = new byte[ChannelFraming.MaxCellLength + 10];
        Assert.Throws<ArgumentOutOfRangeException>(() => ChannelCellWriter.Write(buf, ChannelFraming.Initial, 0x10000, new DestroyCell(0)));
        Assert.Throws<CellFormatException>(() => ChannelCellWriter.WriteRaw(buf, V4, 1, ChannelCommand.Relay, new byte[510]));
        Assert.Throws<CellFormatException>(() => ChannelCellWriter.Write(buf, V4, 0, new VPaddingCell(65536)));
        Assert.Throws<CellFormatException>(() => ChannelCellWriter.Write(buf, V4, 0, new UnknownChannelMessage(ChannelCommand.Create, new byte[510])));
        Assert.Throws<ArgumentException>(() => ChannelCellWriter.Write(new byte[513], V4, 1, new DestroyCell(0)));
        Assert.Throws<ArgumentException>(() => ChannelCellWriter.Write(new byte[12], V4, 0, new VPaddingCell(6)));
    }

    [Fact]
    public void HighestCommonVersionIsChosen()
    {
        Assert.Equal((ushort)5, VersionsCell.HighestCommon([4, 5], [3, 4, 5]));
        Assert.Equal((ushort)4, VersionsCell.HighestCommon([4, 5], [1, 2, 3, 4]));
        Assert.Null(VersionsCell.HighestCommon([4, 5], [1, 2, 3]));
        Assert.Null(VersionsCell.HighestCommon([4, 5], []));
    }
}
