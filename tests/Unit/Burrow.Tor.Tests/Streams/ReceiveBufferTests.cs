using Burrow.Tor.Streams;

namespace Burrow.Tor.Tests.Streams;

public class ReceiveBufferTests
{
    [Fact]
    public void Data_comes_out_in_order_across_wraparound_and_growth()
    {
        var buffer = new ReceiveBuffer();
        var random = new Random(9);
        var expected = new Queue<byte>();
        var counter = 0;
        for (var step = 0; step < 5000; step++)
        {
            if (random.Next(3) != 0 && buffer.Bytes + 498 <= ReceiveBuffer.MaxCapacity)
            {
                var chunk = new byte[random.Next(0, 499)];
                for (var i = 0; i < chunk.Length; i++)
                    chunk[i] = (byte)counter++;
                buffer.Add(chunk);
                foreach (var b in chunk)
                    expected.Enqueue(b);
            }
            else
            {
                var into = new byte[random.Next(0, 3000)];
                var n = buffer.Read(into);
                Assert.Equal(Math.Min(into.Length, expected.Count), n);
                for (var i = 0; i < n; i++)
                    Assert.Equal(expected.Dequeue(), into[i]);
            }
            Assert.Equal(expected.Count, buffer.Bytes);
            Assert.Equal((expected.Count + 497) / 498, buffer.Cells);
        }
    }

    [Fact]
    public void It_refuses_to_grow_beyond_what_the_stream_window_allows()
    {
        var buffer = new ReceiveBuffer();
        buffer.Add(new byte[ReceiveBuffer.MaxCapacity]);
        Assert.Throws<InvalidOperationException>(() => buffer.Add(new byte[1]));
        Assert.Equal(ReceiveBuffer.MaxCapacity, buffer.Read(new byte[ReceiveBuffer.MaxCapacity + 10]));
        buffer.Clear();
        Assert.Equal(0, buffer.Bytes);
    }
}
