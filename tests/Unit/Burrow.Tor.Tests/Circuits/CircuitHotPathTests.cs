using Burrow.Tor.Cells;
using Burrow.Tor.Channels;
using Burrow.Tor.Streams;
using Burrow.Tor.Tests.Channels;

namespace Burrow.Tor.Tests.Circuits;

/// <summary>The receive path of DATA cells (decrypt, recognize, window accounting, copy into the stream's
/// buffer, reads, SENDMEs) allocates nothing per cell once the stream buffer has grown. (Tests run the
/// Debug build, where an async method that runs at all allocates its state machine: the read fast path
/// avoids one.)</summary>
public class CircuitHotPathTests
{
    [Fact]
    public async Task Handling_data_cells_and_reading_them_allocates_nothing_per_cell()
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 3);
        await using var _ = fake;
        await using var __ = channel;
        var circuit = await FakeCircuits.BuildAsync(channel, fake);
        await using var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        var payload = new byte[RelayCell.MaxDataLength];
        new Random(3).NextBytes(payload);
        var plain = new byte[RelayCell.BodyLength];
        RelayCell.Encode(plain, RelayCommand.Data, stream.StreamId, payload);
        // The fake encrypts ahead; the circuit is fed on this thread (the channel's reader is idle).
        var cells = Enumerable.Range(0, 3000).Select(_ => fake.EncryptBackward(circuit.CircId, 2, plain)).ToArray();
        var scratch = new byte[RelayCell.BodyLength];
        var read = new byte[64 * 1024];
        var received = 0L;

        void Feed(int from, int count)
        {
            for (var i = from; i < from + count; i++)
            {
                cells[i].CopyTo(scratch, 0);
                circuit.OnCell(ChannelCommand.Relay, scratch);
                if (i % 100 == 99)
                {
                    // Read everything: this emits the stream SENDMEs.
                    while (stream.BufferedBytes > 0)
                    {
                        var pending = stream.ReadAsync(read);
                        if (!pending.IsCompletedSuccessfully)
                            throw new InvalidOperationException("a read with data buffered had to wait");
                        received += pending.Result;
                    }
                }
            }
        }

        // Spare cell buffers, so SENDMEs do not depend on how soon the channel writer returns them.
        var spares = Enumerable.Range(0, 200).Select(_ => CellBuffers.Rent()).ToList();
        spares.ForEach(CellBuffers.Return);
        Feed(0, 1000); // grows the receive buffer and the queues
        var before = GC.GetAllocatedBytesForCurrentThread();
        Feed(1000, 2000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.False(circuit.IsClosed, circuit.CloseReason?.Message);
        Assert.Equal(3000L * RelayCell.MaxDataLength, received);
        // Any object per cell would be at least 24 bytes a cell (48 KB); what remains is the occasional
        // growth of a thread-pool or queue segment.
        Assert.True(allocated < 2 * 2000, $"{allocated} bytes allocated for 2000 DATA cells");
        // The exit was acknowledged: one circuit SENDME per 100 cells.
        var sendmes = 0;
        await FakeCircuits.EventuallyAsync(() =>
        {
            while (fake.Events.TryRead(out var e))
                if (e.RelayCommand == RelayCommand.Sendme && e.StreamId == 0)
                    sendmes++;
            return sendmes == 30;
        }, "30 circuit SENDMEs");
    }
}
