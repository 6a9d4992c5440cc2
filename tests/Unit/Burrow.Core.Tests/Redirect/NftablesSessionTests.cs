using System.Net;
using System.Net.Sockets;
using Burrow.Core.Recovery;
using Burrow.Core.Recovery.Linux;
using Burrow.Core.Redirect;
using Burrow.Core.Tests.Integration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Core.Tests.Redirect;

/// <summary>
/// The rendered tables installed for real through libnftables in the test namespace, and real
/// connections, datagrams and DNS queries to documentation addresses that the namespace routes into
/// its void (build/in-namespace.sh): what the rules capture arrives at local test sockets.
/// </summary>
[Collection(NftCollection.Name)]
[Trait("Category", "Integration")]
public class NftablesSessionTests
{
    private const uint Mark = 0x4242;
    private const int SolSocket = 1;
    private const int SoMark = 36;
    private static readonly IPEndPoint Destination = IPEndPoint.Parse("198.51.100.7:443");

    private static string NewName() => "t" + Guid.NewGuid().ToString("N")[..8];

    private static RedirectPlan Plan(int tcpPort, string? name = null) => new() { Network = name ?? NewName(), TcpPort = tcpPort, SocketMark = Mark };

    private static NftablesSession Install(RedirectPlan plan, ILogger? logger = null)
    {
        TestNamespace.Require();
        return NftablesSession.Install(plan, logger ?? NullLogger.Instance, CancellationToken.None);
    }

    private static string Tables() => TestNamespace.Run("nft", "list tables");

    private static bool TableExists(string table) => Tables().Split('\n').Any(l => l.Trim() == $"table inet {table}");

    private static TcpListener Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    private static int Port(TcpListener l) => ((IPEndPoint)l.LocalEndpoint).Port;

    [Fact]
    public void InstalledTableShowsItsRulesAndTheOwnerFlagAndIsGoneAfterDispose()
    {
        using var listener = Listen();
        var plan = Plan(Port(listener)) with { DnsPort = 5353, FailClosed = true, Exclude = [IPNetwork.Parse("192.168.0.0/16")] };
        string listing;
        using (var session = Install(plan))
        {
            Assert.True(session.Owned);
            listing = TestNamespace.Run("nft", $"list table inet {plan.TableName}");
            Assert.Contains("flags owner", listing);
            Assert.Contains($"comment \"burrow network={plan.Network} pid={Environment.ProcessId} start=", listing);
            Assert.Contains("meta mark 0x00004242 return", listing);
            Assert.Contains($"redirect to :{Port(listener)}", listing);
            Assert.Contains("udp dport 53 counter name \"redirected_dns\" redirect to :5353", listing);
            Assert.Contains("type filter hook output priority filter; policy accept;", listing);
            Assert.Contains("elements = { 192.168.0.0/16 }", listing);
            Assert.Equal(listing, session.List());
        }
        Assert.False(TableExists(plan.TableName), Tables());
    }

    [Fact]
    public async Task AnUnmarkedConnectionIsRedirectedWithItsOriginalDestination()
    {
        using var listener = Listen();
        using var session = Install(Plan(Port(listener)));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var connect = client.ConnectAsync(Destination, cts.Token).AsTask();
        using var accepted = await listener.AcceptSocketAsync(cts.Token);
        await connect;
        var found = SoOriginalDstResolver.Resolve(accepted);
        Assert.Equal(RecoveryStatus.Found, found.Status);
        Assert.Equal(Destination, found.Destination);
        Assert.Equal(1, session.ReadCounters()[NftCounterNames.RedirectedTcpV4].Packets);
    }

    [Fact]
    public async Task AConnectionFromAMarkedSocketIsNotRedirected()
    {
        using var listener = Listen();
        using var session = Install(Plan(Port(listener)));
        // After the table under test (priority -100) on the same hook: counts the SYN that went by.
        using var control = new ControlCounter("filter", "output", 10, "meta mark 0x00004242 ip daddr 198.51.100.7 tcp dport 443");
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.SetRawSocketOption(SolSocket, SoMark, BitConverter.GetBytes(Mark));
        using var cts = new CancellationTokenSource();
        var connect = client.ConnectAsync(Destination, cts.Token).AsTask();
        await control.WaitForPacketAsync();
        // The nat decision was made on that SYN: it still went to 198.51.100.7 (into the void), not to us.
        Assert.Equal(0, session.ReadCounters()[NftCounterNames.RedirectedTcpV4].Packets);
        Assert.False(listener.Pending());
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connect);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AUdpDatagramIsDroppedAndCountedOnlyWhenFailClosed(bool failClosed)
    {
        using var listener = Listen();
        using var session = Install(Plan(Port(listener)) with { FailClosed = failClosed });
        // After the table under test's filter chain (priority 0): sees only what that chain let through.
        using var control = new ControlCounter("filter", "output", 10, "ip daddr 198.51.100.7 udp dport 9");
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var sent = true;
        try { udp.SendTo("leak"u8, IPEndPoint.Parse("198.51.100.7:9")); }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AccessDenied or SocketError.OperationNotSupported || e.NativeErrorCode == 1)
        {
            sent = false; // netfilter's drop in LOCAL_OUT is EPERM for the sender
        }
        var counters = session.ReadCounters();
        if (failClosed)
        {
            Assert.False(sent);
            Assert.Equal(1, counters[NftCounterNames.DroppedUdp].Packets);
            Assert.Equal(0, control.Packets());
        }
        else
        {
            Assert.True(sent);
            Assert.False(counters.ContainsKey(NftCounterNames.DroppedUdp));
            Assert.Equal(1, control.Packets());
        }
    }

    [Fact]
    public void FailClosedLetsMarkedAndExcludedTrafficThroughAndDropsTheRest()
    {
        using var listener = Listen();
        var plan = Plan(Port(listener)) with { FailClosed = true, Exclude = [IPNetwork.Parse("203.0.113.0/24")] };
        using var session = Install(plan);
        using var control = new ControlCounter("filter", "output", 10, "udp dport 9");
        SendUdp("203.0.113.9:9", mark: null);           // excluded: passes
        SendUdp("198.51.100.7:9", mark: Mark);          // Burrow's own: passes
        Assert.Throws<SocketException>(() => SendUdp("198.51.100.8:9", mark: null));
        Assert.Equal(2, control.Packets());
        Assert.Equal(1, session.ReadCounters()[NftCounterNames.DroppedUdp].Packets);
    }

    [Fact]
    public void AnExemptUsersTrafficPassesFailClosedAndOthersDoNot()
    {
        using var listener = Listen();
        using var session = Install(Plan(Port(listener)) with { FailClosed = true, ExemptUsers = ["nobody"] });
        using var control = new ControlCounter("filter", "output", 10, "ip daddr 198.51.100.7 udp dport 9");
        // bash's /dev/udp sends one datagram from a socket of the user setpriv switched to.
        TestNamespace.Run("setpriv", "--reuid=nobody --regid=nogroup --clear-groups bash -c \"echo x > /dev/udp/198.51.100.7/9\"");
        Assert.Equal(1, control.Packets());
        Assert.Throws<SocketException>(() => SendUdp("198.51.100.7:9", mark: null)); // root is not exempt
        Assert.Equal(1, control.Packets());
        Assert.Equal(1, session.ReadCounters()[NftCounterNames.DroppedUdp].Packets);
    }

    [Fact]
    public async Task DnsOverTcpArrivesAtTheDnsPortNotTheTcpListener()
    {
        using var listener = Listen();
        using var dns = Listen();
        using var session = Install(Plan(Port(listener)) with { DnsPort = Port(dns) });
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var connect = client.ConnectAsync(IPEndPoint.Parse("198.51.100.53:53"), cts.Token).AsTask();
        using var accepted = await dns.AcceptSocketAsync(cts.Token);
        await connect;
        Assert.Equal(IPEndPoint.Parse("198.51.100.53:53"), SoOriginalDstResolver.Resolve(accepted).Destination);
        Assert.False(listener.Pending());
        var counters = session.ReadCounters();
        Assert.Equal(1, counters[NftCounterNames.RedirectedDns].Packets);
        Assert.Equal(0, counters[NftCounterNames.RedirectedTcpV4].Packets);
    }

    private static void SendUdp(string to, uint? mark)
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        if (mark is { } m)
            udp.SetRawSocketOption(SolSocket, SoMark, BitConverter.GetBytes(m));
        udp.SendTo("x"u8, IPEndPoint.Parse(to));
    }

    [Fact]
    public async Task WithFailClosedARedirectedConnectionStillWorksBothWays()
    {
        // After nat the destination is 127.0.0.1: the filter's "local destination" must accept every packet of it.
        using var listener = Listen();
        using var session = Install(Plan(Port(listener)) with { FailClosed = true });
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var connect = client.ConnectAsync(Destination, cts.Token).AsTask();
        using var accepted = await listener.AcceptSocketAsync(cts.Token);
        await connect;
        await client.SendAsync("ping"u8.ToArray(), cts.Token);
        var buf = new byte[4];
        Assert.Equal(4, await accepted.ReceiveAsync(buf, cts.Token));
        await accepted.SendAsync("pong"u8.ToArray(), cts.Token);
        Assert.Equal(4, await client.ReceiveAsync(buf, cts.Token));
        Assert.Equal("pong"u8.ToArray(), buf);
        var counters = session.ReadCounters();
        Assert.Equal(1, counters[NftCounterNames.RedirectedTcpV4].Packets);
        Assert.Equal(0, counters[NftCounterNames.DroppedTcp].Packets);
    }

    [Fact]
    public async Task AnIpv6ConnectionIsRedirectedToTheIpv6Listener()
    {
        using var listener4 = Listen();
        var listener = new TcpListener(IPAddress.IPv6Loopback, 0);
        listener.Start();
        try
        {
            var port6 = Port(listener);
            using var session = Install(Plan(Port(listener4)) with { Ipv6 = true, TcpPortV6 = port6, FailClosed = true });
            var destination = IPEndPoint.Parse("[2001:db8::7]:443");
            using var client = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var connect = client.ConnectAsync(destination, cts.Token).AsTask();
            using var accepted = await listener.AcceptSocketAsync(cts.Token);
            await connect;
            var found = SoOriginalDstResolver.Resolve(accepted);
            Assert.Equal(RecoveryStatus.Found, found.Status);
            Assert.Equal(destination, found.Destination);
            var counters = session.ReadCounters();
            Assert.Equal(1, counters[NftCounterNames.RedirectedTcpV6].Packets);
            Assert.Equal(0, counters[NftCounterNames.RedirectedTcpV4].Packets);
        }
        finally { listener.Stop(); }
    }

    [Theory]
    [InlineData("198.51.100.53:53")]
    [InlineData("203.0.113.53:53")] // an excluded (LAN) resolver is captured too: it would forward the name in clear
    public async Task ADnsQueryArrivesAtTheDnsPort(string resolver)
    {
        using var listener = Listen();
        using var dns = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        dns.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var dnsPort = ((IPEndPoint)dns.LocalEndPoint!).Port;
        using var session = Install(Plan(Port(listener)) with { DnsPort = dnsPort, FailClosed = true, Exclude = [IPNetwork.Parse("203.0.113.0/24")] });
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        // A minimal query for example.com A (RFC 1035 4.1): the bytes only have to arrive unchanged.
        byte[] query = [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, .."example"u8, 3, .."com"u8, 0, 0, 1, 0, 1];
        client.SendTo(query, IPEndPoint.Parse(resolver));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buf = new byte[512];
        var got = await dns.ReceiveFromAsync(buf, new IPEndPoint(IPAddress.Any, 0), cts.Token);
        Assert.Equal(query, buf[..got.ReceivedBytes]);
        Assert.Equal(((IPEndPoint)client.LocalEndPoint!).Port, ((IPEndPoint)got.RemoteEndPoint).Port);
        var counters = session.ReadCounters();
        Assert.Equal(1, counters[NftCounterNames.RedirectedDns].Packets);
        Assert.Equal(0, counters[NftCounterNames.DroppedUdp].Packets);
    }

    [Fact]
    public void TwoNetworksCoexistAndDisposingOneLeavesTheOther()
    {
        var host = Plan(9040);
        var gateway = new RedirectPlan { Network = NewName(), Scope = RedirectScope.Gateway, Sources = [IPNetwork.Parse("10.0.3.0/24")], TcpPort = 9041, SocketMark = Mark + 1, FailClosed = true };
        Assert.Empty(host.ValidateAlongside([gateway]));
        using var b = Install(gateway);
        using (var a = Install(host))
        {
            Assert.True(TableExists(host.TableName));
            Assert.True(TableExists(gateway.TableName));
        }
        Assert.False(TableExists(host.TableName));
        Assert.True(TableExists(gateway.TableName));
        Assert.Contains("redirect to :9041", b.List());
    }

    [Fact]
    public void ASecondSessionForTheSameNetworkIsRefusedAndTheFirstKeepsItsTable()
    {
        var plan = Plan(9040);
        using var first = Install(plan);
        var e = Assert.Throws<NftablesException>(() => Install(plan with { TcpPort = 9041 }));
        Assert.Equal(NftablesErrorKind.TableInUse, e.Kind);
        Assert.Contains("is owned by a running process", e.Message);
        Assert.Contains("already running", e.Message);
        Assert.Contains("redirect to :9040", first.List());
    }

    [Fact]
    public void NftsOwnErrorIsReportedAndNothingIsLeftInstalled()
    {
        var plan = Plan(9040) with { ExemptUsers = ["nosuchuserburrow"] };
        var e = Assert.Throws<NftablesException>(() => Install(plan));
        Assert.Equal(NftablesErrorKind.Rejected, e.Kind);
        Assert.NotNull(e.NftMessage);
        Assert.Contains("User does not exist", e.NftMessage);
        Assert.StartsWith("Error:", e.NftMessage);
        Assert.False(TableExists(plan.TableName), Tables());
    }

    [Fact]
    public void AnUpdateReplacesTheRulesOnTheSameContext()
    {
        var plan = Plan(9040);
        using var session = Install(plan);
        session.Update(plan with { TcpPort = 9050, DnsPort = 5353, FailClosed = true }, CancellationToken.None);
        var listing = TestNamespace.Run("nft", $"list table inet {plan.TableName}");
        Assert.Contains("flags owner", listing);
        Assert.Contains("redirect to :9050", listing);
        Assert.DoesNotContain("redirect to :9040", listing);
        Assert.Contains("chain fail_closed", listing);
        Assert.Contains(NftCounterNames.DroppedUdp, session.ReadCounters().Keys);
        Assert.Throws<ArgumentException>(() => session.Update(Plan(9040), CancellationToken.None));
        session.Dispose();
        Assert.False(TableExists(plan.TableName));
    }

    [Fact]
    public void WithoutTheOwnerFlagThePlainTableIsMarkedAndDeletedOnDispose()
    {
        var plan = Plan(9040) with { FailClosed = true };
        TestNamespace.Require();
        using (var session = NftablesSession.Install(plan, NullLogger.Instance, preferOwner: false, CancellationToken.None))
        {
            Assert.False(session.Owned);
            var listing = TestNamespace.Run("nft", $"list table inet {plan.TableName}");
            Assert.DoesNotContain("flags owner", listing);
            Assert.Contains($"comment \"burrow network={plan.Network} pid={Environment.ProcessId} start=", listing);
        }
        Assert.False(TableExists(plan.TableName));
    }

    [Fact]
    public void AStaleTableOfADeadProcessIsReplaced()
    {
        var plan = Plan(9040);
        TestNamespace.Require();
        using (var gone = System.Diagnostics.Process.Start("true")!)
        {
            gone.WaitForExit();
            TestNamespace.Run("nft", "-f -", $$"""
                table inet {{plan.TableName}} {
                  comment "burrow network={{plan.Network}} pid={{gone.Id}} start=1";
                  chain nat_output { type nat hook output priority -100; policy accept; tcp dport 1 counter redirect to :2; }
                }
                """);
        }
        var logger = new ListLogger();
        using var session = Install(plan, logger);
        var listing = session.List();
        Assert.Contains("flags owner", listing);
        Assert.DoesNotContain("redirect to :2", listing);
        Assert.Contains(logger.Records, r => r.Id.Id == 7204 && r.Level == LogLevel.Warning);
    }

    [Fact]
    public void ATableThatIsNotBurrowsIsLeftAloneAndNamed()
    {
        var plan = Plan(9040);
        TestNamespace.Require();
        TestNamespace.Run("nft", $"add table inet {plan.TableName}");
        try
        {
            var e = Assert.Throws<NftablesException>(() => Install(plan));
            Assert.Equal(NftablesErrorKind.TableInUse, e.Kind);
            Assert.Contains("was not made by Burrow", e.Message);
            Assert.True(TableExists(plan.TableName));
        }
        finally { TestNamespace.Run("nft", $"delete table inet {plan.TableName}"); }
    }

    public static TheoryData<string> Variants() => ["host", "host-full", "host-ipv6", "gateway", "gateway-ipv6"];

    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryRenderingIsAcceptedByTheKernel(string variant)
    {
        var host = Plan(9040) with { Exclude = [IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("fd00::/8")] };
        var gateway = host with { Scope = RedirectScope.Gateway, Exclude = [IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("fd01::/16")], Sources = [IPNetwork.Parse("10.0.3.0/24"), IPNetwork.Parse("fd00:3::/64")] };
        var plan = variant switch
        {
            "host" => host,
            "host-full" => host with { DnsPort = 5353, FailClosed = true, ExemptUsers = ["0", "nobody"] },
            "host-ipv6" => host with { Ipv6 = true, TcpPortV6 = 9041, DnsPort = 5353, FailClosed = true },
            "gateway" => gateway with { DnsPort = 5353, FailClosed = true },
            _ => gateway with { Ipv6 = true, DnsPort = 5353, FailClosed = true },
        };
        using var session = Install(plan);
        var counters = session.ReadCounters();
        Assert.Equal(NftRuleset.Counters(plan).Order(), counters.Keys.Order());
        Assert.All(counters.Values, c => Assert.Equal(0, c.Bytes));
    }
}
