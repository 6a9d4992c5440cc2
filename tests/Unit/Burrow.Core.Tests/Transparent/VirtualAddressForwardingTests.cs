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
/// A network with its DNS listener (dns.enable, automap "."): a connection whose recovered destination is a
/// virtual address goes upstream by host name with the isolation policy's key; .onion and unmapped virtual
/// addresses are refused without any upstream request. Loopback only, a fake resolver, no kernel NAT.
/// </summary>
public class VirtualAddressForwardingTests
{
    private static BurrowOptions Options(IsolationPolicy? isolation = null) => new()
    {
        TcpStack = new TcpStackSection { Listen = IPEndPoint.Parse("127.0.0.1:0") },
        Dns = new DnsSection { Enable = true, Listen = IPEndPoint.Parse("127.0.0.1:0"), AutomapSuffixes = ["."] },
        Isolate = isolation ?? IsolationPolicy.Default,
    };

    private static async Task<FlowInfo> WaitForEnd(BurrowNetwork network)
    {
        for (var i = 0; i < 500; i++)
        {
            if (network.Flows.Snapshot().FirstOrDefault(f => f.End != null) is { } ended) return ended;
            await Task.Delay(20);
        }
        throw new TimeoutException("no flow ended");
    }

    private static async Task<IPAddress> LookUpAsync(BurrowNetwork network, string name)
    {
        var answer = await DnsTestClient.AskUdpAsync(network.DnsEndPoints[0], DnsTestClient.Query(name, DnsType.A));
        return Assert.Single(answer.Answers.OfType<ARecord>()).Address;
    }

    /// <summary>A refused connection is reset, possibly before the connect completes here.</summary>
    private static async Task ConnectAndExpectResetAsync(BurrowNetwork network)
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await client.ConnectAsync(network.ListenEndPoint!);
            Assert.Equal(0, await client.ReceiveAsync(new byte[1]));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
    }

    private static async Task<BurrowNetwork> StartAsync(Func<IPEndPoint?> destination, ITorConnector connector, IsolationPolicy? isolation = null)
    {
        var resolver = new FixedResolver(_ => destination() is { } d ? RecoveryResult.Found(d, "FAKE") : RecoveryResult.NotRedirected("FAKE", "none"));
        var network = new BurrowNetwork("v" + Guid.NewGuid().ToString("N")[..8], Options(isolation), connector, resolver, NullLoggerFactory.Instance);
        await network.StartAsync(null, CancellationToken.None);
        return network;
    }

    [Fact]
    public async Task AVirtualAddressIsOpenedByHostNameAndTheFlowShowsTheName()
    {
        using var server = new ReverseServer();
        var connector = new DirectConnector { HostTarget = server.EndPoint };
        IPEndPoint? destination = null;
        var network = await StartAsync(() => destination, connector);
        try
        {
            Assert.Null(network.RedirectTable);
            var address = await LookUpAsync(network, "www.burrow.test");
            Assert.True(network.AddressMap!.IsVirtualAddress(address));
            destination = new IPEndPoint(address, 8443);
            using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                await client.ConnectAsync(network.ListenEndPoint!);
                await client.SendAsync("abc"u8.ToArray());
                client.Shutdown(SocketShutdown.Send);
                var buf = new byte[16];
                var n = await client.ReceiveAsync(buf);
                Assert.Equal("cba", System.Text.Encoding.ASCII.GetString(buf, 0, n));
            }
            var flow = await WaitForEnd(network);
            Assert.Equal(FlowState.Closed, flow.State);
            Assert.Equal("www.burrow.test", flow.Hostname);
            Assert.Equal($"www.burrow.test:8443 ({address})", flow.Target);
            var (asked, key) = Assert.Single(connector.Requests);
            Assert.Equal("www.burrow.test:8443", asked);
            Assert.Equal("iso|c=127.0.0.1|d=www.burrow.test", key);
        }
        finally { await network.StopAsync(); }
    }

    [Fact]
    public async Task AnOnionNameIsRefusedAndNothingGoesUpstream()
    {
        var connector = new DirectConnector();
        IPEndPoint? destination = null;
        var network = await StartAsync(() => destination, connector);
        try
        {
            destination = new IPEndPoint(await LookUpAsync(network, "example2345example2345example2345example2345example23.onion"), 80);
            await ConnectAndExpectResetAsync(network);
            var flow = await WaitForEnd(network);
            Assert.Equal(FlowState.Refused, flow.State);
            Assert.Equal(FlowEndKind.OnionServiceUnsupported, flow.EndKind);
            Assert.Equal("onion services are not supported yet", flow.EndReason);
            Assert.Equal(0, connector.Connects);
        }
        finally { await network.StopAsync(); }
    }

    [Fact]
    public async Task AnUnmappedVirtualAddressIsRefusedWithTheReason()
    {
        var connector = new DirectConnector();
        var network = await StartAsync(() => IPEndPoint.Parse("10.255.255.1:80"), connector);
        try
        {
            await ConnectAndExpectResetAsync(network);
            var flow = await WaitForEnd(network);
            Assert.Equal(FlowState.Refused, flow.State);
            Assert.Equal(FlowEndKind.VirtualAddressUnmapped, flow.EndKind);
            Assert.Contains("stands for no name", flow.Error);
            Assert.Equal(0, connector.Connects);
        }
        finally { await network.StopAsync(); }
    }

    [Fact]
    public async Task AnAddressDestinationUsesThePolicysFields()
    {
        using var server = new ReverseServer();
        var connector = new DirectConnector();
        var network = await StartAsync(() => server.EndPoint, connector,
            new IsolationPolicy([IsolationField.DestinationPort, IsolationField.ClientAddress]));
        try
        {
            using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                await client.ConnectAsync(network.ListenEndPoint!);
                client.Shutdown(SocketShutdown.Send);
                await client.ReceiveAsync(new byte[1]);
            }
            await WaitForEnd(network);
            var (_, key) = Assert.Single(connector.Requests);
            Assert.Equal($"iso|c=127.0.0.1|p={server.EndPoint.Port}", key);
        }
        finally { await network.StopAsync(); }
    }

    [Fact]
    public void IsolationKeysDifferExactlyWhereThePolicySaysTheyMay()
    {
        var client = IPAddress.Parse("10.0.3.5");
        var policy = IsolationPolicy.Default;
        Assert.NotEqual(policy.StreamKey(client, "a.example", 443), policy.StreamKey(client, "b.example", 443));
        Assert.NotEqual(policy.StreamKey(client, "a.example", 443), policy.StreamKey(IPAddress.Parse("10.0.3.6"), "a.example", 443));
        Assert.Equal(policy.StreamKey(client, "a.example", 443), policy.StreamKey(client, "A.Example", 80));
        // A lookup and the stream to the name it returned share a circuit unless ports are isolated too.
        Assert.Equal(policy.DnsKey(client, "a.example"), policy.StreamKey(client, "a.example", 443));
        var withPort = new IsolationPolicy([IsolationField.ClientAddress, IsolationField.DestinationPort]);
        Assert.NotEqual(withPort.StreamKey(client, "a.example", 443), withPort.StreamKey(client, "a.example", 80));
        Assert.Equal(withPort.StreamKey(client, "a.example", 443), withPort.StreamKey(client, "b.example", 443));
    }
}
