using System.Net;
using System.Text;
using Burrow.Tor.Cells;
using Burrow.Tor.Channels;
using Burrow.Tor.Circuits;
using Burrow.Tor.Client;
using Burrow.Tor.Streams;
using Burrow.Tor.Tests.Channels;
using Burrow.Tor.Tests.Circuits;

namespace Burrow.Tor.Tests.Streams;

/// <summary>Optimistic data (tor-spec 6.2): DATA right after BEGIN, before the exit's CONNECTED; replayed on a refused attempt.</summary>
public class OptimisticDataTests
{
    private static async Task<(FakeRelay Fake, Channel Channel, Circuit Circuit)> BuildAsync()
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 3);
        var circuit = await FakeCircuits.BuildAsync(channel, fake, 3);
        return (fake, channel, circuit);
    }

    private static Task<TorStream> OpenAsync(Circuit circuit, OptimisticData early) =>
        circuit.OpenStreamAsync(StreamTarget.Parse("10.0.0.1:80"), early.WriteToAsync, CancellationToken.None);

    [Fact]
    public async Task Data_goes_out_after_begin_and_before_connected_also_what_is_appended_while_waiting()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        fake.AutoConnect = false;
        var early = new OptimisticData();
        Assert.True(early.TryAppend("GET / HTTP/1.0\r\n"u8));
        var opening = OpenAsync(circuit, early);

        var begin = await fake.NextRelayAsync(RelayCommand.Begin);
        var first = await fake.NextRelayAsync(RelayCommand.Data);
        Assert.Equal(begin.StreamId, first.StreamId);
        Assert.Equal("GET / HTTP/1.0\r\n", Encoding.ASCII.GetString(first.Data));
        Assert.False(opening.IsCompleted);

        // More from the application while the exit has not answered: sent at once, not after CONNECTED.
        Assert.True(early.TryAppend("Host: x\r\n\r\n"u8));
        var second = await fake.NextRelayAsync(RelayCommand.Data);
        Assert.Equal("Host: x\r\n\r\n", Encoding.ASCII.GetString(second.Data));
        Assert.False(opening.IsCompleted);

        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.Connected, begin.StreamId, new ConnectedMessage(IPAddress.Parse("10.0.0.1"), 300));
        await using var stream = await opening.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(early.IsSealed);
        Assert.False(early.TryAppend("late"u8));
        Assert.Equal(0, early.Free);
        Assert.Equal(27, early.Length);
    }

    [Fact]
    public async Task A_refused_attempt_leaves_the_bytes_for_the_next_one_which_sends_them_all_again()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        fake.AutoConnect = false;
        var early = new OptimisticData();
        Assert.True(early.TryAppend("hello "u8));
        var refused = OpenAsync(circuit, early);
        var begin = await fake.NextRelayAsync(RelayCommand.Begin);
        await fake.NextRelayAsync(RelayCommand.Data);
        Assert.True(early.TryAppend("world"u8));
        await fake.SendRelayAsync(circuit.CircId, 2, RelayCommand.End, begin.StreamId, new EndMessage(EndReason.ExitPolicy));
        var error = await Assert.ThrowsAsync<TorStreamException>(() => refused);
        Assert.Equal(TorStreamErrorKind.ExitPolicy, error.Kind);
        Assert.False(early.IsSealed);

        fake.AutoConnect = true;
        await using var stream = await OpenAsync(circuit, early).WaitAsync(TimeSpan.FromSeconds(20));
        var retryBegin = await fake.NextAsync(e => e.RelayCommand == RelayCommand.Begin && e.StreamId == stream.StreamId);
        var sent = new StringBuilder();
        while (sent.Length < "hello world".Length)
        {
            var data = await fake.NextAsync(e => e.RelayCommand == RelayCommand.Data && e.StreamId == retryBegin.StreamId);
            sent.Append(Encoding.ASCII.GetString(data.Data));
        }
        Assert.Equal("hello world", sent.ToString());
        Assert.True(early.IsSealed);
    }

    [Fact]
    public async Task Nothing_appended_means_nothing_sent_before_connected_and_a_sealed_empty_buffer()
    {
        var (fake, channel, circuit) = await BuildAsync();
        await using var _ = fake;
        await using var __ = channel;
        var early = new OptimisticData();
        await using var stream = await OpenAsync(circuit, early).WaitAsync(TimeSpan.FromSeconds(20));
        await fake.NextRelayAsync(RelayCommand.Begin);
        Assert.True(early.IsSealed);
        // The first DATA cell of the stream is the first byte written after it opened: nothing was sent early.
        await stream.WriteAsync("x"u8.ToArray());
        Assert.Equal("x", Encoding.ASCII.GetString((await fake.NextRelayAsync(RelayCommand.Data)).Data));
    }

    [Fact]
    public void The_buffer_is_bounded_and_takes_all_or_nothing()
    {
        var early = new OptimisticData(capacity: 10);
        Assert.True(early.TryAppend("123456"u8));
        Assert.False(early.TryAppend("12345"u8));
        Assert.Equal(4, early.Free);
        Assert.True(early.TryAppend("7890"u8));
        Assert.Equal(0, early.Free);
        Assert.Equal("1234567890", Encoding.ASCII.GetString(early.Seal().Span));
        Assert.True(early.IsSealed);
        Assert.False(early.TryAppend("x"u8));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OptimisticData(0));
    }
}
