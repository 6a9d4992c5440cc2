using System.Net;
using Burrow.Tor.Cells;
using Burrow.Tor.Channels;
using Burrow.Tor.Circuits;
using Burrow.Tor.Streams;
using Burrow.Tor.Tests.Channels;
using Burrow.Tor.Tests.Circuits;

namespace Burrow.Tor.Tests.Streams;

/// <summary>BEGIN / CONNECTED / DATA / END / RESOLVE through the fake exit.</summary>
public class TorStreamTests
{
    private static async Task<(FakeRelay Fake, Channel Channel, Circuit Circuit)> BuildAsync(int hops = 3, TimeSpan? openTimeout = null)
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: hops);
        var circuit = await FakeCircuits.BuildAsync(channel, fake, hops, streamOpenTimeout: openTimeout);
        return (fake, channel, circuit);
    }

    [Theory]
    [InlineData("10.1.2.3:80", "10.1.2.3", 80, BeginFlags.None)]
    [InlineData("[2001:db8::1]:443", "2001:db8::1", 443, BeginFlags.IPv6Okay)]
    [InlineData("WWW.Example.COM:8080", "www.example.com", 8080, BeginFlags.IPv6Okay)]
    [InlineData("localhost:1", "localhost", 1, BeginFlags.IPv6Okay)]
    internal async Task Begin_carries_the_target_as_tor_spec_asks(string target, string host, int port, BeginFlags flags)
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        await using var stream = await circuit.OpenStreamAsync(target);
        var begin = await fake.NextRelayAsync(RelayCommand.Begin);
        Assert.Equal(2, begin.Hop);
        Assert.Equal(stream.StreamId, begin.StreamId);
        Assert.Equal(new BeginMessage(host, (ushort)port, flags), BeginMessage.Decode(begin.Data));
        Assert.Equal(IPAddress.Parse("10.0.0.1"), stream.Connected!.Address);
    }

    [Fact]
    public async Task Begin_to_an_endpoint_and_begin_dir()
    {
        var (fake, channel, circuit) = await BuildAsync(hops: 1);
        await using var _ = fake;
        await using var __ = channel;
        await using var stream = await circuit.OpenStreamAsync(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 8080));
        Assert.Equal(new BeginMessage("127.0.0.2", 8080), BeginMessage.Decode((await fake.NextRelayAsync(RelayCommand.Begin)).Data));
        await using var dir = await circuit.OpenDirStreamAsync();
        var beginDir = await fake.NextRelayAsync(RelayCommand.BeginDir);
        Assert.Equal(0, beginDir.Hop);
        Assert.Empty(beginDir.Data);
        Assert.Null(dir.Connected!.Address);
    }

    [Fact]
    public async Task Data_round_trips_through_three_hops_in_cells_of_at_most_498_bytes()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        fake.Echo = true;
        await using var stream = await circuit.OpenStreamAsync("10.0.0.1:7");
        var payload = new byte[100_000];
        new Random(5).NextBytes(payload);
        var reading = Task.Run(async () =>
        {
            var back = new byte[payload.Length];
            await stream.ReadExactlyAsync(back);
            return back;
        });
        await stream.WriteAsync(payload);
        Assert.Equal(payload, await reading.WaitAsync(TimeSpan.FromSeconds(30)));
        var sizes = new List<int>();
        while (fake.Events.TryRead(out var e))
            if (e.RelayCommand == RelayCommand.Data)
                sizes.Add(e.Data.Length);
        Assert.Equal(payload.Length, sizes.Sum());
        Assert.All(sizes, n => Assert.InRange(n, 1, RelayCell.MaxDataLength));
        Assert.Equal((payload.Length + 497) / 498, sizes.Count);
    }

    [Fact]
    public async Task Stream_ids_are_unique_and_nonzero_on_a_circuit()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        var streams = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => circuit.OpenStreamAsync($"10.0.0.1:{1000 + i}")));
        Assert.Equal(20, streams.Select(s => s.StreamId).Distinct().Count());
        Assert.DoesNotContain((ushort)0, streams.Select(s => s.StreamId));
        Assert.Equal(20, circuit.StreamCount);
        foreach (var s in streams)
            await s.DisposeAsync();
        Assert.Equal(0, circuit.StreamCount);
    }

    [Theory]
    [InlineData((byte)EndReason.Misc, TorStreamErrorKind.Misc)]
    [InlineData((byte)EndReason.ResolveFailed, TorStreamErrorKind.ResolveFailed)]
    [InlineData((byte)EndReason.ConnectRefused, TorStreamErrorKind.ConnectionRefused)]
    [InlineData((byte)EndReason.ExitPolicy, TorStreamErrorKind.ExitPolicy)]
    [InlineData((byte)EndReason.Destroy, TorStreamErrorKind.Destroyed)]
    [InlineData((byte)EndReason.Done, TorStreamErrorKind.Closed)]
    [InlineData((byte)EndReason.Timeout, TorStreamErrorKind.Timeout)]
    [InlineData((byte)EndReason.NoRoute, TorStreamErrorKind.NoRoute)]
    [InlineData((byte)EndReason.Hibernating, TorStreamErrorKind.Hibernating)]
    [InlineData((byte)EndReason.Internal, TorStreamErrorKind.Internal)]
    [InlineData((byte)EndReason.ResourceLimit, TorStreamErrorKind.ResourceLimit)]
    [InlineData((byte)EndReason.ConnReset, TorStreamErrorKind.ConnectionReset)]
    [InlineData((byte)EndReason.TorProtocol, TorStreamErrorKind.TorProtocol)]
    [InlineData((byte)EndReason.NotDirectory, TorStreamErrorKind.NotDirectory)]
    [InlineData(99, TorStreamErrorKind.Misc)]
    internal async Task End_in_answer_to_begin_is_a_typed_error(byte reason, TorStreamErrorKind kind)
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        fake.AutoConnect = false;
        var opening = circuit.OpenStreamAsync("example.com:25");
        var begin = await fake.NextRelayAsync(RelayCommand.Begin);
        var end = reason == (byte)EndReason.ExitPolicy
            ? new EndMessage(EndReason.ExitPolicy, IPAddress.Parse("93.184.216.34"), 600)
            : new EndMessage((EndReason)reason);
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.End, begin.StreamId, end);
        var error = await Assert.ThrowsAsync<TorStreamException>(() => opening);
        Assert.Equal(kind, error.Kind);
        Assert.Equal((EndReason)reason, error.EndReason);
        Assert.Contains("example.com:25", error.Message);
        Assert.Equal(0, circuit.StreamCount);
        Assert.False(circuit.IsClosed);
        // The stream ended at the exit: nothing more is sent for it (no END back).
        await using var next = await OpenAfterAsync(fake, circuit);
        var events = new List<RelayEvent>();
        while (fake.Events.TryRead(out var e))
            events.Add(e);
        Assert.DoesNotContain(events, e => e.RelayCommand == RelayCommand.End);
    }

    private static async Task<TorStream> OpenAfterAsync(FakeRelay fake, Circuit circuit)
    {
        fake.AutoConnect = true;
        var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        await fake.NextRelayAsync(RelayCommand.Begin);
        return stream;
    }

    [Fact]
    public async Task An_empty_end_means_misc()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        fake.AutoConnect = false;
        var opening = circuit.OpenStreamAsync("example.com:25");
        var begin = await fake.NextRelayAsync(RelayCommand.Begin);
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.End, begin.StreamId, new UnknownRelayMessage(RelayCommand.End, ReadOnlyMemory<byte>.Empty));
        Assert.Equal(TorStreamErrorKind.Misc, (await Assert.ThrowsAsync<TorStreamException>(() => opening)).Kind);
    }

    [Fact]
    public async Task End_done_after_data_is_a_clean_end_of_stream()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        await using var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Data, stream.StreamId, new DataMessage("HTTP/1.0 200 OK\r\n\r\nhello"u8.ToArray()));
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.End, stream.StreamId, new EndMessage(EndReason.Done));
        var reader = new StreamReader(stream);
        Assert.Equal("HTTP/1.0 200 OK\r\n\r\nhello", await reader.ReadToEndAsync());
        Assert.Equal(0, await stream.ReadAsync(new byte[10]));
        var write = await Assert.ThrowsAsync<TorStreamException>(() => stream.WriteAsync(new byte[1]).AsTask());
        Assert.Equal(TorStreamErrorKind.Closed, write.Kind);
    }

    [Fact]
    public async Task End_with_an_error_after_data_delivers_the_data_then_throws()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        await using var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Data, stream.StreamId, new DataMessage(new byte[300]));
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.End, stream.StreamId, new EndMessage(EndReason.ConnReset));
        var buffer = new byte[1000];
        var total = 0;
        var error = await Assert.ThrowsAsync<TorStreamException>(async () =>
        {
            while (true)
                total += await stream.ReadAsync(buffer);
        });
        Assert.Equal(300, total);
        Assert.Equal(TorStreamErrorKind.ConnectionReset, error.Kind);
    }

    [Fact]
    public async Task A_zero_byte_read_waits_for_data_without_consuming_it()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        await using var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        var zero = stream.ReadAsync(Memory<byte>.Empty).AsTask();
        // Nothing has been sent on the stream, so nothing can complete the read yet.
        Assert.False(zero.IsCompleted);
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Data, stream.StreamId, new DataMessage("abc"u8.ToArray()));
        Assert.Equal(0, await zero.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty));
        var buffer = new byte[10];
        Assert.Equal(3, await stream.ReadAsync(buffer));
        Assert.Equal("abc"u8.ToArray(), buffer[..3]);
    }

    [Fact]
    public async Task A_zero_byte_read_at_the_end_returns_zero()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        await using var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        var zero = stream.ReadAsync(Memory<byte>.Empty).AsTask();
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.End, stream.StreamId, new EndMessage(EndReason.Done));
        Assert.Equal(0, await zero.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(0, await stream.ReadAsync(new byte[1]));
    }

    [Fact]
    public async Task Reads_can_be_cancelled_and_the_stream_still_works()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        await using var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        using var cts = new CancellationTokenSource(50);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.ReadAsync(new byte[1], cts.Token).AsTask());
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Data, stream.StreamId, new DataMessage("x"u8.ToArray()));
        Assert.Equal(1, await stream.ReadAsync(new byte[1]));
    }

    [Fact]
    public async Task Ending_locally_sends_one_end_after_queued_data_and_still_delivers_buffered_data()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        await using var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Data, stream.StreamId, new DataMessage("buffered"u8.ToArray()));
        while (stream.BufferedBytes < 8) await Task.Delay(5);
        await stream.WriteAsync("request"u8.ToArray());
        stream.EndLocally();
        stream.EndLocally(); // idempotent
        var data = await fake.NextRelayAsync(RelayCommand.Data);
        Assert.Equal("request"u8.ToArray(), data.Data.ToArray());
        var end = await fake.NextRelayAsync(RelayCommand.End);
        Assert.Equal(stream.StreamId, end.StreamId);
        // What had arrived is still read, then the end; writing is over.
        var reader = new StreamReader(stream);
        Assert.Equal("buffered", await reader.ReadToEndAsync());
        Assert.Equal(0, await stream.ReadAsync(new byte[4]));
        Assert.Equal(TorStreamErrorKind.Closed, (await Assert.ThrowsAsync<TorStreamException>(() => stream.WriteAsync(new byte[1]).AsTask())).Kind);
        Assert.Equal(0, circuit.StreamCount);
        await Assert.ThrowsAsync<TimeoutException>(() => fake.NextRelayAsync(RelayCommand.End, timeoutSeconds: 1));
    }

    [Fact]
    public async Task Dispose_sends_end_misc_and_late_cells_from_the_exit_are_tolerated()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        fake.Echo = true;
        var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        var id = stream.StreamId;
        await stream.DisposeAsync();
        var end = await fake.NextRelayAsync(RelayCommand.End);
        Assert.Equal(id, end.StreamId);
        Assert.Equal(new EndMessage(EndReason.Misc), EndMessage.Decode(end.Data));
        Assert.Equal(0, circuit.StreamCount);
        // The exit had not seen our END yet: its DATA, SENDME and END still arrive.
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Data, id, new DataMessage(new byte[10]));
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Sendme, id, SendmeMessage.Legacy);
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.End, id, new EndMessage(EndReason.Done));
        await using var other = await circuit.OpenStreamAsync("10.0.0.1:80");
        await other.WriteAsync("ok"u8.ToArray());
        var echo = new byte[2];
        await other.ReadExactlyAsync(echo);
        Assert.False(circuit.IsClosed);
        Assert.Throws<ObjectDisposedException>(() => stream.ReadAsync(new byte[1]).AsTask().GetAwaiter().GetResult());
        Assert.Throws<ObjectDisposedException>(() => stream.WriteAsync(new byte[1]).AsTask().GetAwaiter().GetResult());
    }

    [Fact]
    public async Task More_late_data_than_the_closed_streams_window_closes_the_circuit()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        var id = stream.StreamId;
        await stream.DisposeAsync();
        for (var i = 0; i < TorStream.WindowStart; i++)
            await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Data, id, new DataMessage(new byte[1]));
        Assert.False(circuit.IsClosed);
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Data, id, new DataMessage(new byte[1]));
        await circuit.Completion.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains("closed stream", circuit.CloseReason!.Message);
    }

    [Fact]
    public async Task Begin_without_an_answer_times_out_with_a_typed_error_and_sends_end()
    {
        var (fake, channel, circuit) = await BuildAsync(openTimeout: TimeSpan.FromMilliseconds(300));
        await using var _ = fake;
        await using var __ = channel;
        fake.AutoConnect = false;
        var error = await Assert.ThrowsAsync<TorStreamException>(() => circuit.OpenStreamAsync("10.0.0.1:80"));
        Assert.Equal(TorStreamErrorKind.Timeout, error.Kind);
        var begin = await fake.NextRelayAsync(RelayCommand.Begin);
        var end = await fake.NextRelayAsync(RelayCommand.End);
        Assert.Equal(begin.StreamId, end.StreamId);
        // A late CONNECTED for it is dropped.
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Connected, begin.StreamId, ConnectedMessage.Empty);
        fake.AutoConnect = true;
        await using var next = await circuit.OpenStreamAsync("10.0.0.1:80");
        Assert.False(circuit.IsClosed);
    }

    [Fact]
    public async Task Cancelling_an_open_ends_the_stream()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        fake.AutoConnect = false;
        using var cts = new CancellationTokenSource();
        var opening = circuit.OpenStreamAsync("10.0.0.1:80", cts.Token);
        var begin = await fake.NextRelayAsync(RelayCommand.Begin);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => opening);
        var end = await fake.NextRelayAsync(RelayCommand.End);
        Assert.Equal(begin.StreamId, end.StreamId);
    }

    [Fact]
    public async Task Resolve_returns_the_exits_answers()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        var resolving = circuit.ResolveAsync("WWW.Burrow.TEST");
        var request = await fake.NextRelayAsync(RelayCommand.Resolve);
        Assert.NotEqual(0, request.StreamId);
        Assert.Equal("www.burrow.test", ResolveMessage.Decode(request.Data).Hostname);
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Resolved, request.StreamId, new ResolvedMessage([
            ResolvedAnswer.ForAddress(IPAddress.Parse("127.0.0.2"), 60), ResolvedAnswer.ForAddress(IPAddress.Parse("::2"), 60)]));
        var answers = await resolving;
        Assert.Equal([IPAddress.Parse("127.0.0.2"), IPAddress.Parse("::2")], answers.Select(a => a.Address));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_resolve_error_is_ResolveFailed(bool viaEnd)
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        var resolving = circuit.ResolveAsync("nowhere.test");
        var request = await fake.NextRelayAsync(RelayCommand.Resolve);
        if (viaEnd)
            await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.End, request.StreamId, new EndMessage(EndReason.ResolveFailed));
        else
            await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Resolved, request.StreamId, new ResolvedMessage([ResolvedAnswer.ForError(false)]));
        var error = await Assert.ThrowsAsync<TorStreamException>(() => resolving);
        Assert.Equal(TorStreamErrorKind.ResolveFailed, error.Kind);
        Assert.False(circuit.IsClosed);
    }

    [Fact]
    public async Task The_stream_api_refuses_what_a_tor_stream_cannot_do()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        await using var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        Assert.True(stream.CanRead);
        Assert.True(stream.CanWrite);
        Assert.False(stream.CanSeek);
        Assert.Throws<NotSupportedException>(() => stream.Length);
        Assert.Throws<NotSupportedException>(() => stream.Position);
        Assert.Throws<NotSupportedException>(() => stream.Seek(0, SeekOrigin.Begin));
        await stream.FlushAsync();
        stream.Flush();
    }

    [Fact]
    public async Task Synchronous_read_and_write_work()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        fake.Echo = true;
        await using var stream = await circuit.OpenStreamAsync("10.0.0.1:80");
        await Task.Run(() =>
        {
            stream.Write("sync"u8);
            var buffer = new byte[4];
            var n = 0;
            while (n < 4)
                n += stream.Read(buffer.AsSpan(n));
            Assert.Equal("sync"u8.ToArray(), buffer);
        });
    }
}
