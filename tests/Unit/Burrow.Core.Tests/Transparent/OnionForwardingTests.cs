using System.Net;
using System.Net.Sockets;
using Burrow.Core.Configuration;
using Burrow.Core.Flows;
using Burrow.Core.Networks;
using Burrow.Core.Recovery;
using Burrow.Core.Tests.Dns;
using Burrow.Core.Upstreams;
using Makaretu.Dns;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Core.Tests.Transparent;

/// <summary>
/// With an upstream that reaches onion services, a valid .onion name is automapped and its flow goes upstream
/// by that name; a malformed one gets NXDOMAIN with an Extended DNS Error naming the problem and is never mapped.
/// Loopback only, fakes for the upstream and the original-destination lookup.
/// </summary>
public class OnionForwardingTests
{
    // rend-spec-v3 section 6 example address (valid checksum), and the same with one character changed.
    private const string Valid = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion";
    private const string BadChecksum = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4psdryd.onion";

    private sealed class OnionConnector(DirectConnector inner) : ITorConnector
    {
        public string Description => "onion-capable (test)";
        public bool SupportsOnionServices => true;
        public Task StartAsync(IProgress<UpstreamProgress>? progress, CancellationToken cancellationToken) => inner.StartAsync(progress, cancellationToken);
        public ValueTask<UpstreamConnection> ConnectAsync(IPEndPoint destination, string isolationKey, CancellationToken cancellationToken) => inner.ConnectAsync(destination, isolationKey, cancellationToken);
        public ValueTask<UpstreamConnection> ConnectAsync(string host, int port, string isolationKey, CancellationToken cancellationToken) => inner.ConnectAsync(host, port, isolationKey, cancellationToken);
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private static async Task<BurrowNetwork> StartAsync(Func<IPEndPoint?> destination, ITorConnector connector)
    {
        var options = new BurrowOptions
        {
            TcpStack = new TcpStackSection { Listen = IPEndPoint.Parse("127.0.0.1:0") },
            Dns = new DnsSection { Enable = true, Listen = IPEndPoint.Parse("127.0.0.1:0") },   // automap: .onion only
        };
        var resolver = new FixedResolver(_ => destination() is { } d ? RecoveryResult.Found(d, "FAKE") : RecoveryResult.NotRedirected("FAKE", "none"));
        var network = new BurrowNetwork("o" + Guid.NewGuid().ToString("N")[..8], options, connector, resolver, NullLoggerFactory.Instance);
        await network.StartAsync(null, CancellationToken.None);
        return network;
    }

    [Fact]
    public async Task AValidOnionNameGoesUpstreamByNameAndTheFlowShowsIt()
    {
        using var server = new ReverseServer();
        var direct = new DirectConnector { HostTarget = server.EndPoint };
        IPEndPoint? destination = null;
        var network = await StartAsync(() => destination, new OnionConnector(direct));
        try
        {
            var answer = await DnsTestClient.AskUdpAsync(network.DnsEndPoints[0], DnsTestClient.Query(Valid, DnsType.A, edns: true));
            Assert.Equal(MessageStatus.NoError, answer.Status);
            Assert.Null(DnsTestClient.ExtendedError(answer));   // no "not supported yet" note any more
            var address = Assert.Single(answer.Answers.OfType<ARecord>()).Address;
            destination = new IPEndPoint(address, 80);
            using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                await client.ConnectAsync(network.ListenEndPoint!);
                await client.SendAsync("abc"u8.ToArray());
                client.Shutdown(SocketShutdown.Send);
                var buf = new byte[16];
                var n = await client.ReceiveAsync(buf);
                Assert.Equal("cba", System.Text.Encoding.ASCII.GetString(buf, 0, n));
            }
            FlowInfo? flow = null;
            for (var i = 0; i < 500 && flow == null; i++)
            {
                flow = network.Flows.Snapshot().FirstOrDefault(f => f.End != null);
                if (flow == null)
                    await Task.Delay(20);
            }
            Assert.NotNull(flow);
            Assert.Equal(Valid, flow.Hostname);
            Assert.Equal(FlowState.Closed, flow.State);
            var (asked, _) = Assert.Single(direct.Requests);
            Assert.Equal(Valid + ":80", asked);
        }
        finally { await network.StopAsync(); }
    }

    [Fact]
    public async Task AMalformedOnionNameIsNxdomainWithTheReasonAndIsNotMapped()
    {
        var direct = new DirectConnector();
        var network = await StartAsync(() => null, new OnionConnector(direct));
        try
        {
            var answer = await DnsTestClient.AskUdpAsync(network.DnsEndPoints[0], DnsTestClient.Query(BadChecksum, DnsType.A, edns: true));
            Assert.Equal(MessageStatus.NameError, answer.Status);
            Assert.Empty(answer.Answers);
            var ede = DnsTestClient.ExtendedError(answer);
            Assert.NotNull(ede);
            Assert.Contains("checksum", ede.Value.Text, StringComparison.Ordinal);
            Assert.Equal(0, direct.Connects);
        }
        finally { await network.StopAsync(); }
    }
}
