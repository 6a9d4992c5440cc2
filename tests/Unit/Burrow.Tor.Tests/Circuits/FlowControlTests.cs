using Burrow.Tor.Cells;
using Burrow.Tor.Channels;
using Burrow.Tor.Circuits;
using Burrow.Tor.Streams;
using Burrow.Tor.Tests.Channels;

namespace Burrow.Tor.Tests.Circuits;

/// <summary>Circuit windows with authenticated SENDMEs (tor-spec 7.3, proposal 289) and stream windows (7.4).</summary>
public class FlowControlTests
{
    private static async Task<(FakeRelay Fake, Channel Channel, Circuit Circuit)> BuildAsync(CircuitParameters? parameters = null)
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 3);
        var circuit = await FakeCircuits.BuildAsync(channel, fake, 3, parameters);
        return (fake, channel, circuit);
    }

    private static Task SendDataAsync(FakeRelay fake, Circuit circuit, TorStream stream, int bytes = 1) =>
        fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Data, stream.StreamId, new DataMessage(new byte[bytes]));

    [Fact]
    public async Task Client_sends_an_authenticated_sendme_with_the_digest_of_every_hundredth_data_cell()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        var other = await circuit.OpenStreamAsync("10.0.0.1:81");
        var expected = new List<byte[]>();
        for (var i = 1; i <= 250; i++)
        {
            await SendDataAsync(fake, circuit, i <= 150 ? stream : other);
            if (i % 100 == 0)
                expected.Add(fake.LastBackwardDigest(circuit.CircId, 2));
        }
        foreach (var digest in expected)
        {
            var sendme = await fake.NextAsync(e => e.RelayCommand == RelayCommand.Sendme && e.StreamId == 0);
            Assert.Equal(2, sendme.Hop);
            var message = SendmeMessage.Decode(sendme.Data);
            Assert.Equal(1, message.Version);
            Assert.Equal(digest, message.Digest.ToArray());
        }
        // Only two: the next one is due after cell 300.
        await stream.WriteAsync(new byte[1]);
        var next = await fake.NextAsync(e => e.RelayCommand == RelayCommand.Data || e is { RelayCommand: RelayCommand.Sendme, StreamId: 0 });
        Assert.Equal(RelayCommand.Data, next.RelayCommand);
        Assert.False(circuit.IsClosed);
    }

    [Fact]
    public async Task Exit_sendmes_with_the_right_digests_keep_a_long_upload_going()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        fake.RecordData = false;
        var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        var payload = new byte[2500 * 498];
        await stream.WriteAsync(payload).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        await FakeCircuits.EventuallyAsync(() => circuit.PackageWindow == 1000, "all SENDMEs arrive");
        Assert.False(circuit.IsClosed);
        Assert.Equal(TorStream.WindowStart, stream.PackageWindow.Available);
    }

    [Fact]
    public async Task Writes_stop_at_the_circuit_window_and_resume_after_an_authenticated_sendme()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        fake.AutoSendme = false;
        var streams = new[] { await circuit.OpenStreamAsync("10.0.0.1:80"), await circuit.OpenStreamAsync("10.0.0.1:81"), await circuit.OpenStreamAsync("10.0.0.1:82") };
        var writes = streams.Select(s => s.WriteAsync(new byte[400 * 498]).AsTask()).ToList();
        var data = new List<RelayEvent>();
        while (data.Count < 1000)
            data.Add(await fake.NextRelayAsync(RelayCommand.Data));
        // 1200 cells for a window of 1000: the writers still holding cells are parked on the circuit window.
        await FakeCircuits.EventuallyAsync(() => circuit.PackageWindow == 0 && circuit.CreditWaiters.PackageWindow == writes.Count(w => !w.IsCompleted),
            "the circuit window is used up and every unfinished writer waits for it");
        Assert.Contains(writes, w => !w.IsCompleted);

        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Sendme, 0, SendmeMessage.Authenticated(data[99].ForwardDigest));
        for (var i = 0; i < 100; i++)
            data.Add(await fake.NextRelayAsync(RelayCommand.Data));
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Sendme, 0, SendmeMessage.Authenticated(data[199].ForwardDigest));
        await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.False(circuit.IsClosed);
    }

    [Fact]
    public async Task A_sendme_with_the_wrong_digest_closes_the_circuit()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        fake.AutoSendme = false;
        var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        await stream.WriteAsync(new byte[100 * 498]);
        RelayEvent hundredth = null!;
        for (var i = 0; i < 100; i++)
            hundredth = await fake.NextRelayAsync(RelayCommand.Data);
        var wrong = (byte[])hundredth.ForwardDigest.Clone();
        wrong[19] ^= 1;
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Sendme, 0, SendmeMessage.Authenticated(wrong));
        await circuit.Completion.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(CircuitErrorKind.ProtocolViolation, circuit.CloseReason!.Kind);
        Assert.Contains("digest", circuit.CloseReason.Message);
    }

    [Fact]
    public async Task A_sendme_digest_of_another_cell_closes_the_circuit()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        fake.AutoSendme = false;
        var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        await stream.WriteAsync(new byte[100 * 498]);
        var cells = new List<RelayEvent>();
        for (var i = 0; i < 100; i++)
            cells.Add(await fake.NextRelayAsync(RelayCommand.Data));
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Sendme, 0, SendmeMessage.Authenticated(cells[98].ForwardDigest));
        await circuit.Completion.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains("digest", circuit.CloseReason!.Message);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    public async Task A_legacy_sendme_is_accepted_only_below_sendme_accept_min_version(int acceptMin, bool closes)
    {
        var (fake, channel, circuit) = await BuildAsync(CircuitParameters.FromConsensus(1000, 0, acceptMin));
        await using var _ = fake;
        await using var __ = channel;
        fake.AutoSendme = false;
        var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        await stream.WriteAsync(new byte[100 * 498]);
        // As an exit would: acknowledge only cells it has received.
        for (var i = 0; i < 100; i++)
            await fake.NextRelayAsync(RelayCommand.Data);
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Sendme, 0, SendmeMessage.Legacy);
        if (closes)
        {
            await circuit.Completion.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Contains("version 0", circuit.CloseReason!.Message);
        }
        else
        {
            await FakeCircuits.EventuallyAsync(() => circuit.PackageWindow == 1000, "the legacy SENDME is counted");
            Assert.False(circuit.IsClosed);
        }
    }

    [Fact]
    public async Task A_smaller_circwindow_from_the_consensus_limits_writes()
    {
        var (fake, channel, circuit) = await BuildAsync(CircuitParameters.FromConsensus(200, 0, 0));
        await using var _ = fake;
        await using var __ = channel;
        fake.AutoSendme = false;
        fake.RecordData = false;
        var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        var write = stream.WriteAsync(new byte[300 * 498]).AsTask();
        await FakeCircuits.EventuallyAsync(() => circuit.PackageWindow == 0 && circuit.CreditWaiters.PackageWindow == 1,
            "200 cells sent and the writer waits for the circuit window");
        Assert.False(write.IsCompleted);
        // 200 cells sent, and the waiting writer holds the stream credit for the 201st.
        Assert.Equal(TorStream.WindowStart - 201, stream.PackageWindow.Available);
    }

    [Fact]
    public async Task Writes_stop_at_the_stream_window_and_resume_after_a_stream_sendme()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        fake.AutoSendme = false;
        var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        var write = stream.WriteAsync(new byte[550 * 498]).AsTask();
        for (var i = 0; i < 500; i++)
            await fake.NextRelayAsync(RelayCommand.Data);
        await FakeCircuits.EventuallyAsync(() => stream.PackageWindow.Available == 0 && stream.PackageWindow.Waiters == 1,
            "the stream window is used up and the writer waits for it");
        Assert.False(write.IsCompleted);
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Sendme, stream.StreamId, SendmeMessage.Legacy);
        await write.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, stream.PackageWindow.Available);
    }

    [Fact]
    public async Task A_reader_that_does_not_read_holds_the_exit_back_and_overrunning_the_stream_window_closes_the_circuit()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        for (var i = 0; i < TorStream.WindowStart; i++)
            await SendDataAsync(fake, circuit, stream, 498);
        await FakeCircuits.EventuallyAsync(() => stream.BufferedBytes == 500 * 498, "all data buffered");
        Assert.Equal(0, stream.DeliverWindow);
        Assert.False(circuit.IsClosed);

        await SendDataAsync(fake, circuit, stream);
        await circuit.Completion.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(CircuitErrorKind.ProtocolViolation, circuit.CloseReason!.Kind);
        Assert.Contains("stream window", circuit.CloseReason.Message);
        // No stream SENDME went out while the reader was not reading.
        while (fake.Events.TryRead(out var e))
            Assert.False(e.RelayCommand == RelayCommand.Sendme && e.StreamId != 0);
    }

    [Fact]
    public async Task Reading_sends_stream_sendmes_as_data_is_consumed()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        for (var i = 0; i < 120; i++)
            await SendDataAsync(fake, circuit, stream, 100);
        var buffer = new byte[120 * 100];
        await stream.ReadExactlyAsync(buffer);
        // 120 cells read: the window fell to 380, and SENDMEs bring it back to 480 (two of them).
        for (var i = 0; i < 2; i++)
        {
            var sendme = await fake.NextAsync(e => e.RelayCommand == RelayCommand.Sendme && e.StreamId == stream.StreamId);
            Assert.Empty(sendme.Data);
        }
        Assert.Equal(480, stream.DeliverWindow);
    }

    [Fact]
    public async Task A_full_window_on_top_of_data_still_buffered_is_accepted()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        fake.RecordData = false;
        var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        for (var i = 0; i < 50; i++)
            await SendDataAsync(fake, circuit, stream, 498);
        // Read all but nine cells: the window is 450 and fewer than ten cells wait, so a SENDME goes out.
        await FakeCircuits.EventuallyAsync(() => stream.BufferedBytes == 50 * 498, "50 cells buffered");
        await stream.ReadExactlyAsync(new byte[41 * 498]);
        var sendme = await fake.NextAsync(e => e.RelayCommand == RelayCommand.Sendme && e.StreamId == stream.StreamId);
        Assert.Equal(TorStream.WindowStart, stream.DeliverWindow);
        // The exit may now send a whole window while the nine cells are still unread.
        for (var i = 0; i < TorStream.WindowStart; i++)
            await SendDataAsync(fake, circuit, stream, 498);
        await FakeCircuits.EventuallyAsync(() => stream.BufferedBytes == 509 * 498 || circuit.IsClosed, "the window arrives");
        Assert.False(circuit.IsClosed, circuit.CloseReason?.Message);
        var rest = new byte[509 * 498];
        await stream.ReadExactlyAsync(rest);
    }
}
