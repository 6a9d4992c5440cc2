using System.Buffers;
using Burrow.Tor.Cells;

namespace Burrow.Tor.Tests.Cells;

/// <summary>The RELAY/DATA path and control-cell encoding allocate nothing beyond the caller's buffers.</summary>
public class HotPathAllocationTests
{
    [Fact]
    public void DataCellsAreFramedAndParsedWithoutAllocating()
    {
        var framing = ChannelFraming.ForLinkVersion(5);
        var payload = Hex.PatternBytes(498);
        var body = new byte[RelayCell.BodyLength];
        var wire = new byte[framing.FixedCellLength * 2];
        var sequence = Hex.Segmented(wire, 700);
        var scratch = new byte[ChannelFraming.PayloadLength];
        var sendme = SendmeMessage.Authenticated(Hex.PatternBytes(20));
        var destroy = new DestroyCell(DestroyReason.None);
        long checksum = 0;

        void Round()
        {
            RelayCell.Encode(body, RelayCommand.Data, 5, payload);
            var n = ChannelCellWriter.WriteRaw(wire, framing, 0x80000001, ChannelCommand.Relay, body);
            RelayCell.DataArea(body)[..100].Fill(7);
            RelayCell.Seal(body, RelayCommand.Data, 5, 100);
            ChannelCellWriter.WriteRaw(wire.AsSpan(n), framing, 0x80000001, ChannelCommand.RelayEarly, body);

            var seq = sequence;
            while (ChannelCellReader.TryRead(seq, framing, out var frame))
            {
                checksum += RelayCell.Decode(frame.GetBody(scratch), out var header).Length + header.StreamId;
                seq = seq.Slice(frame.End);
            }
            ReadOnlySpan<byte> span = wire;
            while (ChannelCellReader.TryRead(span, framing, out var cell, out var consumed))
            {
                checksum += RelayCell.Decode(cell.Body, out _)[0];
                span = span[consumed..];
            }

            RelayCell.Encode(body, 0, sendme);
            ChannelCellWriter.Write(wire, framing, 0x80000001, destroy);
        }

        for (var i = 0; i < 200; i++)
            Round();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 2000; i++)
            Round();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        // Per round: two data lengths plus stream IDs, then the first data byte of each cell (0 and 7).
        Assert.Equal(2200L * ((498 + 5) + (100 + 5) + (0 + 7)), checksum);
    }
}
