using System.Net;
using System.Net.Sockets;
using Burrow.Core.Configuration;
using Burrow.Core.Networks;
using Burrow.Core.Transparent;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Core.Tests.Transparent;

/// <summary>
/// The listener under descriptor exhaustion and a listen port another process holds (issue 18, item 3). The
/// listener runs in a child process whose RLIMIT_NOFILE is 256, so this test host's own limit is untouched.
/// </summary>
public class ListenerFdLimitTests
{
    private const int Clients = 1000;

    private static CancellationToken Timeout(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    [Fact]
    public async Task Accept_survives_descriptor_exhaustion_and_recovers_when_descriptors_free_up()
    {
        using var child = await FdLimitChildProcess.StartAsync(256);
        var endpoint = new IPEndPoint(IPAddress.Loopback, child.Port);
        var clients = new List<Socket>(Clients);
        try
        {
            // 1,000 clients against 256 descriptors: the child holds what it accepts (as live flows would) until
            // accept fails with EMFILE; the rest wait in the backlog.
            for (var i = 0; i < Clients; i++)
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                clients.Add(s);
                await s.ConnectAsync(endpoint, Timeout());
            }
            var stats = await PollAsync(child, s => int.Parse(s["failures"]) >= 1);
            Assert.Equal("TooManyOpenSockets", stats["first"]);
            var heldAtLimit = int.Parse(stats["held"]);
            Assert.InRange(heldAtLimit, 1, 255);
            Assert.Equal("0", stats["recovered"]);

            // The flows end: descriptors come back, and every waiting client is accepted and served.
            Assert.Equal("released", await child.AskAsync("release"));
            var token = Timeout(120);
            var answers = await Task.WhenAll(clients.Select(c => ReadAnswerAsync(c, token)));
            Assert.Equal(Clients, answers.Count(a => a == "ok\n"));

            stats = await child.StatsAsync();
            Assert.Equal(Clients.ToString(), stats["accepted"]);
            Assert.Equal("1", stats["recovered"]);
            // One warning for the whole episode, not one per retry.
            Assert.Equal("1", stats["failures"]);

            // And it keeps serving.
            using var late = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await late.ConnectAsync(endpoint, Timeout());
            Assert.Equal("ok\n", await ReadAnswerAsync(late, Timeout()));
        }
        finally
        {
            foreach (var c in clients)
                c.Dispose();
        }
    }

    [Fact]
    public async Task A_listen_port_held_by_another_process_is_a_clear_error_naming_the_payload_key()
    {
        using var other = await FdLimitChildProcess.StartAsync(1024);
        var options = new BurrowOptions { TcpStack = new TcpStackSection { Listen = new IPEndPoint(IPAddress.Loopback, other.Port) } };
        var network = new BurrowNetwork("taken" + Guid.NewGuid().ToString("N")[..6], options, new DirectConnector(),
            new FixedResolver(_ => Burrow.Core.Recovery.RecoveryResult.NotRedirected("FAKE", "x")), NullLoggerFactory.Instance);
        var e = await Assert.ThrowsAsync<ListenerException>(() => network.StartAsync(null, Timeout()));
        Assert.Contains("tcp_stack.listen", e.Message);
        Assert.Contains($"127.0.0.1:{other.Port}", e.Message);
        Assert.Contains("already in use", e.Message);
        Assert.Equal(BurrowNetworkState.Failed, network.State);
        // The other process is unaffected.
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, other.Port), Timeout());
    }

    private static async Task<Dictionary<string, string>> PollAsync(FdLimitChildProcess child, Func<Dictionary<string, string>, bool> done)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var stats = await child.StatsAsync();
            if (done(stats))
                return stats;
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"the child never reached the expected state; last: {string.Join(' ', stats.Select(kv => $"{kv.Key}={kv.Value}"))}");
            await Task.Delay(100);
        }
    }

    private static async Task<string> ReadAnswerAsync(Socket socket, CancellationToken token)
    {
        var buffer = new byte[16];
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, token);
            if (n == 0)
                break;
            total += n;
        }
        return System.Text.Encoding.ASCII.GetString(buffer, 0, total);
    }
}
