using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Burrow.Core.Configuration;
using Burrow.Core.Flows;
using Burrow.Core.Networks;
using Burrow.Core.Redirect;
using Burrow.Core.Tests.Dns;
using Burrow.Tests;
using Burrow.Tor.NetDoc;
using Makaretu.Dns;
using Microsoft.Extensions.Logging.Abstractions;

using static Burrow.Core.Tests.Integration.PathTestClient;

namespace Burrow.Core.Tests.Integration;

/// <summary>
/// redirect.install end to end, as a user runs it: a network with the in-process client on the private
/// Tor network installs its own table, and this process (root, unmarked, never exempted) is captured:
/// TCP to a test destination goes through Tor, DNS is answered by Burrow with virtual addresses whose
/// connections are opened by host name, other UDP is dropped, and stopping removes the table.
/// Two tricks only this namespace needs: the exits (bound to 127.0.0.1) may route to 198.18.0.80
/// (route_localnet), and their connection to 198.18.0.80:80 is DNATed to the test HTTP server.
/// </summary>
[Trait("Category", "Integration")]
[Collection(NftCollection.Name)]
public sealed class OwnedRedirectTests : IDisposable
{
    private static readonly IPEndPoint TestDestination = IPEndPoint.Parse("198.18.0.80:80");
    private static readonly IPEndPoint CapturedResolver = IPEndPoint.Parse("198.51.100.53:53");
    private static readonly IPEndPoint BlockedUdp = IPEndPoint.Parse("198.51.100.7:9");
    private const string RouteLocalnet = "/proc/sys/net/ipv4/conf/all/route_localnet";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "burrow-owned-" + Guid.NewGuid().ToString("N"));
    private readonly string? _routeLocalnetBefore;
    private readonly string _dnatTable = "burrow_test_dnat";
    private readonly TestNetwork _tn;

    public OwnedRedirectTests()
    {
        TestNamespace.Require();
        _tn = PrivateTorNetwork.Get();
        _routeLocalnetBefore = File.ReadAllText(RouteLocalnet).Trim();
        TestNamespace.Run("sysctl", "-q -w net.ipv4.conf.all.route_localnet=1");
        try { TestNamespace.Run("nft", $"delete table ip {_dnatTable}"); } catch (InvalidOperationException) { }
        TestNamespace.Run("nft", "-f -", $$"""
            table ip {{_dnatTable}} {
              chain o {
                type nat hook output priority -100; policy accept;
                meta skuid {{_tn.TorUid}} ip daddr {{TestDestination.Address}} tcp dport {{TestDestination.Port}} dnat to {{_tn.Http.Address}}:{{_tn.Http.Port}}
              }
            }
            """);
    }

    public void Dispose()
    {
        try { TestNamespace.Run("nft", $"delete table ip {_dnatTable}"); } catch (InvalidOperationException) { }
        if (_routeLocalnetBefore is not null)
            TestNamespace.Run("sysctl", $"-q -w net.ipv4.conf.all.route_localnet={_routeLocalnetBefore}");
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private BurrowOptions Options() => new()
    {
        TcpStack = new TcpStackSection { Listen = IPEndPoint.Parse("127.0.0.1:0") },
        Dns = new DnsSection { Listen = IPEndPoint.Parse("127.0.0.1:0"), AutomapSuffixes = ["."] },
        Redirect = new RedirectSection { Install = true, FailClosed = true, ExemptUsers = ["debian-tor"] },
        Arti = new ArtiSection
        {
            StateDir = Path.Combine(_dir, "state"),
            CacheDir = Path.Combine(_dir, "cache"),
            Authorities = _tn.Authorities.Select(a => new DirAuthority(a.Nickname, a.V3ident)).ToList(),
            FallbackCaches = _tn.Authorities.Select(a => new FallbackDir(a.Fingerprint, a.Ed25519Id, [new IPEndPoint(IPAddress.Parse(a.Address), a.OrPort)])).ToList(),
            Ipv4SubnetFamilyPrefix = 33,
            OnionTestingTimePeriods = true,
        },
    };

    /// <summary>network.json "onionServices" (the C tor client hosts them; tests/TestNet/README.md).</summary>
    private string OnionServiceAddress(string which)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(_tn.Dir, "network.json")));
        return doc.RootElement.GetProperty("onionServices").GetProperty(which).GetProperty("address").GetString()!;
    }

    private static bool TableExists(string table)
        => TestNamespace.Run("nft", "list tables").Split('\n').Any(l => l.Trim() == $"table inet {table}");

    private static async Task<FlowInfo> WaitForFlowAsync(BurrowNetwork network, Func<FlowInfo, bool> which)
    {
        for (var i = 0; i < 3000; i++)
        {
            if (network.Flows.Snapshot().FirstOrDefault(f => f.End != null && which(f)) is { } flow)
                return flow;
            await Task.Delay(20);
        }
        throw new TimeoutException("the flow did not end: " + string.Join("; ", network.Flows.Snapshot().Select(f => $"{f.Target} {f.State} {f.EndReason} {f.Error}")));
    }

    private void CheckExit(FlowInfo flow) => Assert.Contains(_tn.Exits, e => flow.Circuit == $"{e.Nickname} ({e.Fingerprint[..8]}..)");

    [Fact]
    public async Task InstalledRulesCaptureThisHostsTcpAndDnsThroughTorAndAreGoneAfterStop()
    {
        var network = BurrowNetworkFactory.Create("o" + Guid.NewGuid().ToString("N")[..8], Options(), NullLoggerFactory.Instance);
        var table = NftTableName.For(network.Name);
        using (var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
            await network.StartAsync(null, cts.Token);
        try
        {
            // The table, as nft lists it: owned by this process, the mark exemption first, the bound ports.
            var listing = TestNamespace.Run("nft", $"list table inet {table}");
            Assert.Contains("flags owner", listing);
            Assert.Contains("meta mark 0x00004252 return", listing);
            Assert.Contains($"redirect to :{network.ListenEndPoint!.Port}", listing);
            Assert.Contains($"udp dport 53 counter name \"redirected_dns\" redirect to :{network.DnsEndPoints[0].Port}", listing);
            Assert.Contains("counter name \"dropped_udp\" drop", listing);
            Assert.Equal($"inet {table}", network.RedirectTable);
            Assert.True(network.RedirectOwned);
            Assert.Contains($"table inet {table}", network.RedirectScript);
            Assert.Equal(2, network.ListenEndPoints.Count); // 127.0.0.1 and its IPv6 twin on ::1
            Assert.Equal(IPAddress.IPv6Loopback, network.ListenEndPoints[1].Address);

            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

            // TCP: a plain socket of this (root, unmarked) process, to an address nothing else routes.
            var (sent, received, body) = await HttpGetAsync(TestDestination, "/small", timeout.Token);
            Assert.Equal(_tn.Http.SmallSha256, Convert.ToHexStringLower(SHA256.HashData(body)));
            var tcpFlow = await WaitForFlowAsync(network, f => TestDestination.Equals(f.Destination));
            Assert.Equal(FlowState.Closed, tcpFlow.State);
            Assert.Null(tcpFlow.Hostname);
            Assert.Equal(sent, tcpFlow.BytesUp);
            Assert.Equal(received, tcpFlow.BytesDown);
            CheckExit(tcpFlow);

            // DNS: a query to any resolver's port 53 reaches Burrow's listener; automap "." answers with a virtual address.
            var answer = await DnsTestClient.AskUdpAsync(CapturedResolver, DnsTestClient.Query("www.burrow.test", DnsType.A));
            Assert.Equal(MessageStatus.NoError, answer.Status);
            var virtualAddress = Assert.Single(answer.Answers.OfType<ARecord>()).Address;
            Assert.True(IPNetwork.Parse("10.192.0.0/10").Contains(virtualAddress), virtualAddress.ToString());
            Assert.True(network.DnsCounters!.Automapped >= 1);

            // A connection to it goes through Tor by host name: the exit resolves www.burrow.test (the testnet DNS stub).
            var byName = new IPEndPoint(virtualAddress, _tn.Http.Port);
            var (_, _, nameBody) = await HttpGetAsync(byName, "/small", timeout.Token);
            Assert.Equal(_tn.Http.SmallSha256, Convert.ToHexStringLower(SHA256.HashData(nameBody)));
            var nameFlow = await WaitForFlowAsync(network, f => byName.Equals(f.Destination));
            Assert.Equal(FlowState.Closed, nameFlow.State);
            Assert.Equal("www.burrow.test", nameFlow.Hostname);
            Assert.Equal($"www.burrow.test:{_tn.Http.Port} ({virtualAddress})", nameFlow.Target);
            CheckExit(nameFlow);

            // A .onion name (the testnet's C tor onion service) is mapped too, and its connection reaches the service
            // through a rendezvous circuit: /large with its checksum. The service publishes its descriptor some
            // seconds after the network starts, so early attempts may fail: retried, bounded at 150 s.
            var onionName = OnionServiceAddress("public");
            var onion = await DnsTestClient.AskUdpAsync(CapturedResolver, DnsTestClient.Query(onionName, DnsType.A));
            Assert.Equal(MessageStatus.NoError, onion.Status);
            var onionAddress = new IPEndPoint(Assert.Single(onion.Answers.OfType<ARecord>()).Address, 80);
            var onionDeadline = DateTime.UtcNow.AddSeconds(150);
            byte[] onionBody;
            while (true)
            {
                try
                {
                    using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(240));
                    (_, _, onionBody) = await HttpGetAsync(onionAddress, "/large", attempt.Token);
                    break;
                }
                catch (Exception e) when (e is SocketException or Xunit.Sdk.XunitException && DateTime.UtcNow < onionDeadline)
                {
                    await Task.Delay(TimeSpan.FromSeconds(3));
                }
            }
            Assert.Equal(_tn.Http.LargeSha256, Convert.ToHexStringLower(SHA256.HashData(onionBody)));
            var onionFlow = await WaitForFlowAsync(network, f => onionAddress.Equals(f.Destination) && f.State == FlowState.Closed);
            Assert.Equal(onionName, onionFlow.Hostname);
            Assert.Contains(onionName, onionFlow.Circuit, StringComparison.Ordinal);

            // A malformed .onion name: NXDOMAIN with the reason, and no virtual address.
            var bad = onionName[..10] + (onionName[10] == 'a' ? 'b' : 'a') + onionName[11..];
            var badAnswer = await DnsTestClient.AskUdpAsync(CapturedResolver, DnsTestClient.Query(bad, DnsType.A, edns: true));
            Assert.Equal(MessageStatus.NameError, badAnswer.Status);
            Assert.Empty(badAnswer.Answers);
            Assert.Contains("checksum", DnsTestClient.ExtendedError(badAnswer)!.Value.Text, StringComparison.Ordinal);

            // Fail closed: any other UDP of this host is dropped, and counted.
            var before = network.ReadRedirectCounters()![NftCounterNames.DroppedUdp].Packets;
            using (var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
            {
                // A drop in the output hook fails the send itself (EPERM): the datagram never left.
                var e = await Assert.ThrowsAsync<SocketException>(async () => await udp.SendToAsync(new byte[] { 1, 2, 3 }, BlockedUdp));
                Assert.Equal(SocketError.AccessDenied, e.SocketErrorCode);
            }
            Assert.True(network.ReadRedirectCounters()![NftCounterNames.DroppedUdp].Packets > before, "the datagram to 198.51.100.7:9 was not counted as dropped");
        }
        finally
        {
            await network.StopAsync();
        }
        Assert.False(TableExists(table), TestNamespace.Run("nft", "list tables"));
        Assert.Null(network.RedirectTable);
    }
}
