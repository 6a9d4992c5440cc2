using Burrow.Core.Recovery.MacOS;
using static Burrow.Core.Tests.Recovery.MacOS.PflogFixtures;

namespace Burrow.Core.Tests.Recovery.MacOS;

public class BpfRecordReaderTests
{
    private static List<(byte[] Data, uint OriginalLength, bool Truncated)> ReadAll(byte[] buffer, out bool malformed)
    {
        var records = new List<(byte[], uint, bool)>();
        var reader = new BpfRecordReader(buffer);
        while (reader.TryRead(out var record))
        {
            records.Add((record.Packet.ToArray(), record.OriginalLength, record.IsTruncated));
        }

        malformed = reader.Malformed;
        return records;
    }

    [Theory]
    [InlineData(18)]
    [InlineData(20)]
    [InlineData(24)]
    public void SeveralRecordsAreSplitByHdrLenAndWordAlignment(int hdrLen)
    {
        // Lengths 5, 7, 4, 3: the second and third start at 4-byte boundaries after padding.
        byte[][] data = [[1, 2, 3, 4, 5], [6, 6, 6, 6, 6, 6, 6], [9, 9, 9, 9], [8, 8, 8]];
        var buffer = BpfBuffer(hdrLen, data.Select(d => (d, d.Length)).ToArray());

        var records = ReadAll(buffer, out var malformed);

        Assert.False(malformed);
        Assert.Equal(data.Length, records.Count);
        for (var i = 0; i < data.Length; i++)
        {
            Assert.Equal(data[i], records[i].Data);
            Assert.False(records[i].Truncated);
        }
    }

    [Fact]
    public void HeaderFieldsAreReadAtTheDocumentedOffsets()
    {
        // Hand-built: timeval32 (8), caplen 4, datalen 4, hdrlen 2, 2 pad, 3 bytes of data.
        byte[] buffer =
        [
            0x10, 0x20, 0x30, 0x40, 0x01, 0x00, 0x00, 0x00,
            0x03, 0x00, 0x00, 0x00,
            0xE8, 0x03, 0x00, 0x00,
            0x14, 0x00,
            0xFF, 0xFF,
            0xAA, 0xBB, 0xCC,
        ];

        var records = ReadAll(buffer, out var malformed);

        Assert.False(malformed);
        var record = Assert.Single(records);
        Assert.Equal(new byte[] { 0xAA, 0xBB, 0xCC }, record.Data);
        Assert.Equal(1000u, record.OriginalLength);
        Assert.True(record.Truncated);
    }

    [Fact]
    public void CapturedShorterThanTheWireIsFlaggedTruncated()
    {
        var buffer = BpfBuffer(20, ([1, 2, 3, 4], 1500), ([5, 6, 7, 8], 4));
        var records = ReadAll(buffer, out _);
        Assert.True(records[0].Truncated);
        Assert.False(records[1].Truncated);
    }

    [Fact]
    public void AnEmptyBufferHasNoRecords()
    {
        Assert.Empty(ReadAll([], out var malformed));
        Assert.False(malformed);
    }

    [Fact]
    public void ACaplenPastTheEndStopsAfterTheGoodRecords()
    {
        var buffer = BpfBuffer(20, ([1, 2, 3, 4], 4), ([5, 6, 7, 8], 4));
        buffer[24 + 8] = 200; // second record claims 200 captured bytes

        var records = ReadAll(buffer, out var malformed);

        Assert.True(malformed);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, Assert.Single(records).Data);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(17)]
    public void AHdrLenShorterThanTheHeaderIsMalformed(ushort hdrLen)
    {
        var buffer = BpfBuffer(20, ([1, 2, 3, 4], 4));
        buffer[16] = (byte)hdrLen;
        buffer[17] = 0;

        Assert.Empty(ReadAll(buffer, out var malformed));
        Assert.True(malformed);
    }

    [Fact]
    public void TrailingBytesTooShortForAHeaderAreMalformed()
    {
        var buffer = BpfBuffer(20, ([1, 2, 3, 4], 4));
        byte[] withTail = [.. buffer, 0, 0, 0, 0, 0, 0, 0, 0];

        Assert.Single(ReadAll(withTail, out var malformed));
        Assert.True(malformed);
    }

    [Fact]
    public void WordAlignRoundsUpToFour()
    {
        Assert.Equal(0, BpfRecordReader.WordAlign(0));
        Assert.Equal(4, BpfRecordReader.WordAlign(1));
        Assert.Equal(64, BpfRecordReader.WordAlign(61));
        Assert.Equal(84, BpfRecordReader.WordAlign(84));
    }

    [Fact]
    public void RandomBuffersNeverThrow()
    {
        var random = new Random(11);
        var buffer = new byte[256];
        for (var i = 0; i < 20_000; i++)
        {
            random.NextBytes(buffer);
            buffer[16] = (byte)random.Next(16, 40);
            buffer[17] = 0;
            var reader = new BpfRecordReader(buffer.AsSpan(0, random.Next(buffer.Length + 1)));
            var guard = 0;
            while (reader.TryRead(out var record))
            {
                Assert.True(record.Packet.Length <= buffer.Length);
                Assert.True(++guard < 100);
            }
        }
    }
}
