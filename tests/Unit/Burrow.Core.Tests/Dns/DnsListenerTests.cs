using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Burrow.Core.Dns;
using Makaretu.Dns;
using static Burrow.Core.Tests.Dns.DnsTestClient;

namespace Burrow.Core.Tests.Dns;

public sealed class DnsListenerTests : IAsyncLifetime
{
    private static readonly IPEndPoint AnyV4 = new(IPAddress.Loopback, 0);
    private static readonly IPEndPoint AnyV6 = new(IPAddress.IPv6Loopback, 0);
    private readonly List<DnsListener> _listeners = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var listener in _listeners)
            await listener.DisposeAsync();
    }

    private sealed record Started(DnsListener Listener, IPEndPoint V4, IPEndPoint V6, ConcurrentQueue<DnsQueryRecord> Records);

    private async Task<Started> StartAsync(FakeDnsResolver resolver, DnsListenerOptions? options = null, VirtualAddressMapOptions? map = null)
    {
        var listener = new DnsListener(
            (options ?? new DnsListenerOptions()) with { Endpoints = [AnyV4, AnyV6] },
            new VirtualAddressMap(map ?? new VirtualAddressMapOptions()),
            resolver,
            (client, name) => $"{client.Address}|{name}");
        _listeners.Add(listener);
        var records = new ConcurrentQueue<DnsQueryRecord>();
        listener.QueryHandled += records.Enqueue;
        await listener.StartAsync();
        var endpoints = listener.Endpoints;
        return new Started(listener, endpoints.Single(e => e.AddressFamily == AddressFamily.InterNetwork), endpoints.Single(e => e.AddressFamily == AddressFamily.InterNetworkV6), records);
    }

    private static FakeDnsResolver Example() => new FakeDnsResolver()
        .Add("example.com", DnsQueryKind.A, "198.51.100.7", "198.51.100.8")
        .Add("example.com", DnsQueryKind.Aaaa, "2001:db8::7");

    [Fact]
    public async Task AAndAaaaGoThroughTheResolverWithTheIsolationKey()
    {
        var resolver = Example();
        var dns = await StartAsync(resolver);

        var a = await AskUdpAsync(dns.V4, Query("Example.COM", DnsType.A, id: 7));
        Assert.Equal(7, a.Id);
        Assert.True(a.QR);
        Assert.Equal(MessageStatus.NoError, a.Status);
        Assert.Equal("Example.COM", a.Questions.Single().Name.ToString()); // the question is echoed as asked
        Assert.Equal(["198.51.100.7", "198.51.100.8"], a.Answers.OfType<ARecord>().Select(r => r.Address.ToString()));
        Assert.All(a.Answers, r => Assert.Equal(TimeSpan.FromMinutes(5), r.TTL)); // the upstream's hour, capped

        var aaaa = await AskUdpAsync(dns.V6, Query("example.com", DnsType.AAAA));
        Assert.Equal(MessageStatus.NoError, aaaa.Status);
        Assert.Equal(IPAddress.Parse("2001:db8::7"), Assert.IsType<AAAARecord>(Assert.Single(aaaa.Answers)).Address);

        Assert.Equal(
            [("example.com", DnsQueryKind.A, "127.0.0.1|example.com"), ("example.com", DnsQueryKind.Aaaa, "::1|example.com")],
            resolver.Lookups.ToArray());
        Assert.Equal(2, dns.Listener.Counters.Answered);
        Assert.All(dns.Records, r => Assert.Equal(DnsQueryOutcome.Answered, r.Outcome));
        Assert.Equal("example.com", dns.Records.First().Name);
    }

    [Fact]
    public async Task AnUnknownNameIsNxdomain()
    {
        var dns = await StartAsync(Example());
        var answer = await AskUdpAsync(dns.V4, Query("nothing-here.example", DnsType.A));
        Assert.Equal(MessageStatus.NameError, answer.Status);
        Assert.Empty(answer.Answers);
        Assert.Equal(1, dns.Listener.Counters.NotFound);
    }

    [Theory]
    [InlineData(DnsLookupFailure.Timeout, MessageStatus.ServerFailure, 22)]
    [InlineData(DnsLookupFailure.UpstreamDown, MessageStatus.ServerFailure, 14)]
    [InlineData(DnsLookupFailure.Refused, MessageStatus.Refused, 0)]
    internal async Task UpstreamFailuresMapToRcodesWithAnExtendedError(DnsLookupFailure failure, MessageStatus status, ushort ede)
    {
        var dns = await StartAsync(new FakeDnsResolver().Add("broken.example", DnsQueryKind.A, DnsLookup.Failed(failure)));
        var answer = await AskUdpAsync(dns.V4, Query("broken.example", DnsType.A, edns: true));
        Assert.Equal(status, answer.Status);
        Assert.Equal(ede, ExtendedError(answer)?.Code);
    }

    [Fact]
    public async Task PrivateAnswersAreRefusedWithAnExtendedError()
    {
        var resolver = new FakeDnsResolver()
            .Add("lan.example", DnsQueryKind.A, "192.168.1.10")
            .Add("loop.example", DnsQueryKind.Aaaa, "::1", "::ffff:10.0.0.1")
            .Add("mixed.example", DnsQueryKind.A, "10.1.2.3", "198.51.100.9");
        var dns = await StartAsync(resolver);

        var lan = await AskUdpAsync(dns.V4, Query("lan.example", DnsType.A, edns: true));
        Assert.Equal(MessageStatus.Refused, lan.Status);
        Assert.Empty(lan.Answers);
        var ede = ExtendedError(lan);
        Assert.Equal((ushort)15, ede?.Code); // Blocked
        Assert.Contains("internal address", ede?.Text);

        var loop = await AskUdpAsync(dns.V4, Query("loop.example", DnsType.AAAA));
        Assert.Equal(MessageStatus.Refused, loop.Status);
        Assert.Null(ExtendedError(loop)); // no EDNS in the query, so no EDE in the answer

        var mixed = await AskUdpAsync(dns.V4, Query("mixed.example", DnsType.A));
        Assert.Equal(MessageStatus.NoError, mixed.Status);
        Assert.Equal(IPAddress.Parse("198.51.100.9"), Assert.IsType<ARecord>(Assert.Single(mixed.Answers)).Address);

        Assert.Equal(2, dns.Listener.Counters.PrivateAnswersRefused);
        Assert.Contains(dns.Records, r => r.Name == "lan.example" && r.Outcome == DnsQueryOutcome.PrivateAnswerRefused);
    }

    [Fact]
    public async Task DotAutomapsEveryNameWithoutAskingTheResolverAndPtrFindsItBack()
    {
        var resolver = Example();
        var dns = await StartAsync(resolver, map: new VirtualAddressMapOptions { Suffixes = ["."] });

        var a = await AskUdpAsync(dns.V4, Query("Example.com", DnsType.A));
        var address = Assert.IsType<ARecord>(Assert.Single(a.Answers)).Address;
        Assert.True(VirtualAddressMapOptions.DefaultNetworkV4.Contains(address), address.ToString());
        Assert.Equal(TimeSpan.FromSeconds(60), a.Answers[0].TTL);
        Assert.True(dns.Listener.AddressMap.TryGetHostname(address, out var hostname));
        Assert.Equal("example.com", hostname);

        var aaaa = await AskUdpAsync(dns.V4, Query("example.com", DnsType.AAAA));
        Assert.True(VirtualAddressMapOptions.DefaultNetworkV6.Contains(Assert.IsType<AAAARecord>(Assert.Single(aaaa.Answers)).Address));

        var ptr = await AskUdpAsync(dns.V4, Query(DnsName.ReverseName(address), DnsType.PTR));
        Assert.Equal(MessageStatus.NoError, ptr.Status);
        Assert.Equal("example.com", Assert.IsType<PTRRecord>(Assert.Single(ptr.Answers)).DomainName.ToString());

        Assert.Empty(resolver.Lookups);
        Assert.Equal(2, dns.Listener.Counters.Automapped);
    }

    [Fact]
    public async Task OnionIsAutomappedByDefaultAndTheAnswerSaysOnionServicesAreNotSupportedYet()
    {
        var resolver = Example();
        var dns = await StartAsync(resolver);
        var answer = await AskUdpAsync(dns.V4, Query("duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion", DnsType.A, edns: true));
        Assert.Equal(MessageStatus.NoError, answer.Status);
        var address = Assert.IsType<ARecord>(Assert.Single(answer.Answers)).Address;
        Assert.True(dns.Listener.AddressMap.TryGetHostname(address, out var hostname));
        Assert.True(DnsName.IsOnion(hostname));
        Assert.Contains("onion services are not supported yet", ExtendedError(answer)?.Text);
        Assert.Empty(resolver.Lookups);

        // Names outside the suffixes still go to the resolver.
        await AskUdpAsync(dns.V4, Query("example.com", DnsType.A));
        Assert.Single(resolver.Lookups);
    }

    [Fact]
    public async Task PtrOutsideTheVirtualRangesIsRefusedAndAnUnmappedVirtualAddressIsNxdomain()
    {
        var resolver = Example();
        var dns = await StartAsync(resolver);

        var lan = await AskUdpAsync(dns.V4, Query("1.1.168.192.in-addr.arpa", DnsType.PTR, edns: true));
        Assert.Equal(MessageStatus.Refused, lan.Status);
        Assert.Equal((ushort)18, ExtendedError(lan)?.Code); // Prohibited

        var unmapped = await AskUdpAsync(dns.V4, Query("9.9.192.10.in-addr.arpa", DnsType.PTR));
        Assert.Equal(MessageStatus.NameError, unmapped.Status);
        Assert.Empty(resolver.Lookups);
    }

    [Theory]
    [InlineData(DnsType.MX)]
    [InlineData(DnsType.TXT)]
    [InlineData(DnsType.SRV)]
    [InlineData(DnsType.ANY)]
    [InlineData((DnsType)65)] // HTTPS
    public async Task OtherTypesAreNotImplementedAndNeverForwarded(DnsType type)
    {
        var resolver = Example();
        var dns = await StartAsync(resolver);
        var answer = await AskUdpAsync(dns.V4, Query("example.com", type, edns: true));
        Assert.Equal(MessageStatus.NotImplemented, answer.Status);
        Assert.Empty(answer.Answers);
        Assert.Equal((ushort)21, ExtendedError(answer)?.Code); // Not Supported
        Assert.Empty(resolver.Lookups);
        Assert.Equal(1, dns.Listener.Counters.Refused);
    }

    [Fact]
    public async Task MalformedDatagramsGetFormerrOrAreDroppedAndTheListenerKeepsAnswering()
    {
        var dns = await StartAsync(Example());
        var valid = Query("example.com", DnsType.A, id: 0x0101).ToByteArray();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(dns.V4);

        // A readable header, nonsense after it: FORMERR with the query's ID.
        var random = new Random(11);
        for (var i = 0; i < 50; i++)
        {
            var garbage = new byte[random.Next(12, 400)];
            random.NextBytes(garbage);
            garbage[0] = 0xAB;
            garbage[1] = (byte)i;
            garbage[2] &= 0x7F; // QR = 0: it claims to be a query
            garbage[4] = 0xFF; // and to have many questions
            await socket.SendAsync(garbage);
            var answer = Parse(await ReceiveAsync(socket));
            Assert.Equal(0xAB00 | i, answer.Id);
            Assert.True(answer.Status is MessageStatus.FormatError or MessageStatus.NotImplemented, $"{answer.Status}");
        }

        // Huge counts on an otherwise valid query.
        var huge = (byte[])valid.Clone();
        huge[4] = huge[5] = huge[6] = huge[7] = huge[10] = huge[11] = 0xFF;
        await socket.SendAsync(huge);
        Assert.Equal(MessageStatus.FormatError, Parse(await ReceiveAsync(socket)).Status);

        // No header at all, and a response: dropped. The next query is still answered, and the drops were counted.
        await socket.SendAsync(new byte[] { 1, 2, 3, 4, 5 });
        await socket.SendAsync(Array.Empty<byte>());
        var response = (byte[])valid.Clone();
        response[2] |= 0x80;
        await socket.SendAsync(response);
        await socket.SendAsync(valid);
        var good = Parse(await ReceiveAsync(socket));
        Assert.Equal(0x0101, good.Id);
        Assert.Equal(MessageStatus.NoError, good.Status);
        Assert.Equal(2, good.Answers.Count);
        Assert.True(dns.Listener.Counters.Malformed >= 53, $"{dns.Listener.Counters}");
        Assert.Equal(3, dns.Records.Count(r => r.Outcome == DnsQueryOutcome.Dropped));
    }

    [Fact]
    public async Task TcpAnswersTwoPipelinedQueriesOnOneConnection()
    {
        var dns = await StartAsync(Example(), map: new VirtualAddressMapOptions { Suffixes = [".onion"] });
        using var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(dns.V4);
        var stream = client.GetStream();
        var both = Frame(Query("example.com", DnsType.A, id: 1).ToByteArray()).Concat(Frame(Query("x.onion", DnsType.AAAA, id: 2).ToByteArray())).ToArray();
        await stream.WriteAsync(both); // one write: the two queries arrive together

        var answers = new[] { Parse((await ReadFrameAsync(stream))!), Parse((await ReadFrameAsync(stream))!) }.OrderBy(m => m.Id).ToArray();
        Assert.Equal(1, answers[0].Id);
        Assert.Equal(2, answers[0].Answers.Count);
        Assert.Equal(2, answers[1].Id);
        Assert.True(VirtualAddressMapOptions.DefaultNetworkV6.Contains(Assert.IsType<AAAARecord>(Assert.Single(answers[1].Answers)).Address));

        // Garbage on the same connection gets FORMERR; the connection keeps serving.
        await stream.WriteAsync(Frame([0x77, 0x77, 0x01, 0x00, 0x00, 0x05, 0, 0, 0, 0, 0, 0, 0xC0]));
        var formerr = Parse((await ReadFrameAsync(stream))!);
        Assert.Equal(0x7777, formerr.Id);
        Assert.Equal(MessageStatus.FormatError, formerr.Status);
        await stream.WriteAsync(Frame(Query("example.com", DnsType.AAAA, id: 3).ToByteArray()));
        Assert.Equal(3, Parse((await ReadFrameAsync(stream))!).Id);
        Assert.All(dns.Records, r => Assert.Equal(DnsTransport.Tcp, r.Transport));
    }

    [Fact]
    public async Task TcpClosesIdleConnectionsAndCapsHowManyAreOpen()
    {
        var dns = await StartAsync(Example(), new DnsListenerOptions { MaxTcpConnections = 1, TcpIdleTimeout = TimeSpan.FromMilliseconds(300) });

        using (var first = new TcpClient(AddressFamily.InterNetwork))
        {
            await first.ConnectAsync(dns.V4);
            var stream = first.GetStream();
            await stream.WriteAsync(Frame(Query("example.com", DnsType.A, id: 5).ToByteArray()));
            Assert.Equal(5, Parse((await ReadFrameAsync(stream))!).Id);

            // The one connection allowed is taken: a second is closed without an answer.
            using var second = new TcpClient(AddressFamily.InterNetwork);
            await second.ConnectAsync(dns.V4);
            var secondStream = second.GetStream();
            try
            {
                await secondStream.WriteAsync(Frame(Query("example.com", DnsType.A, id: 6).ToByteArray()));
            }
            catch (IOException)
            {
                // already closed by the server
            }

            Assert.Null(await ReadFrameAsync(secondStream));

            // The first, now idle, is closed by the server after the idle timeout.
            Assert.Null(await ReadFrameAsync(stream));
        }

        // With the idle one gone there is room again.
        using var third = new TcpClient(AddressFamily.InterNetwork);
        await third.ConnectAsync(dns.V4);
        await third.GetStream().WriteAsync(Frame(Query("example.com", DnsType.A, id: 7).ToByteArray()));
        var answer = await ReadFrameAsync(third.GetStream());
        Assert.NotNull(answer);
        Assert.Equal(7, Parse(answer).Id);
    }

    [Fact]
    public async Task LookupsBeyondTheCapGetServfailAtOnceAndTheOthersFinish()
    {
        var resolver = new FakeDnsResolver { Hold = true }.Add("a.example", DnsQueryKind.A, "198.51.100.1").Add("b.example", DnsQueryKind.A, "198.51.100.2");
        var dns = await StartAsync(resolver, new DnsListenerOptions { MaxConcurrentLookups = 2 });

        var first = AskUdpAsync(dns.V4, Query("a.example", DnsType.A, id: 1));
        var second = AskUdpAsync(dns.V4, Query("b.example", DnsType.A, id: 2));
        await resolver.WaitForLookupsAsync(2);
        Assert.Equal(2, dns.Listener.LookupsInProgress);

        var third = await AskUdpAsync(dns.V4, Query("c.example", DnsType.A, id: 3, edns: true));
        Assert.Equal(MessageStatus.ServerFailure, third.Status);
        Assert.Contains("too many lookups", ExtendedError(third)?.Text);
        Assert.False(first.IsCompleted);

        // Probe names and automapped names need no lookup, so they are answered even now.
        using var probe = dns.Listener.RegisterProbe("probe.burrow.test");
        var probed = await AskUdpAsync(dns.V4, Query("probe.burrow.test", DnsType.A, id: 4));
        Assert.Equal(IPAddress.Parse("192.0.2.1"), Assert.IsType<ARecord>(Assert.Single(probed.Answers)).Address);

        resolver.Release();
        Assert.Equal(IPAddress.Parse("198.51.100.1"), Assert.IsType<ARecord>(Assert.Single((await first).Answers)).Address);
        Assert.Equal(IPAddress.Parse("198.51.100.2"), Assert.IsType<ARecord>(Assert.Single((await second).Answers)).Address);
        Assert.Equal(["a.example", "b.example"], resolver.Lookups.Select(l => l.Name).Order()); // c.example never reached it
        Assert.Equal(1, dns.Records.Count(r => r.Outcome == DnsQueryOutcome.Overloaded));
    }

    [Fact]
    public async Task AProbeNameIsAnsweredLocallyAndReportedAsSeen()
    {
        var resolver = Example();
        var dns = await StartAsync(resolver);
        using var probe = dns.Listener.RegisterProbe("Burrow-Probe-1.Test.", v6: IPAddress.Parse("2001:db8::99"));
        Assert.Equal("burrow-probe-1.test", probe.Name);
        Assert.Throws<InvalidOperationException>(() => dns.Listener.RegisterProbe("burrow-probe-1.test"));

        var aaaa = await AskUdpAsync(dns.V6, Query("burrow-probe-1.test", DnsType.AAAA));
        Assert.Equal(IPAddress.Parse("2001:db8::99"), Assert.IsType<AAAARecord>(Assert.Single(aaaa.Answers)).Address);
        Assert.Equal(TimeSpan.Zero, aaaa.Answers[0].TTL);
        var seen = await probe.Seen.WaitAsync(Patience);
        Assert.Equal(DnsQueryOutcome.Probe, seen.Outcome);
        Assert.Equal(IPAddress.IPv6Loopback, seen.Client.Address);
        Assert.Empty(resolver.Lookups);

        probe.Dispose();
        var after = await AskUdpAsync(dns.V4, Query("burrow-probe-1.test", DnsType.A));
        Assert.Equal(MessageStatus.NameError, after.Status); // unregistered: an ordinary (unknown) name again
        Assert.Single(resolver.Lookups);
        Assert.Equal(1, probe.TimesSeen);
    }

    [Fact]
    public async Task AResolverThatThrowsCostsOneServfailNotTheListener()
    {
        var throwing = new DnsListener(
            new DnsListenerOptions { Endpoints = [AnyV4] },
            new VirtualAddressMap(new VirtualAddressMapOptions()),
            new ThrowingResolver(),
            (_, _) => "key");
        _listeners.Add(throwing);
        await throwing.StartAsync();
        var endpoint = throwing.Endpoints.Single();
        Assert.Equal(MessageStatus.ServerFailure, (await AskUdpAsync(endpoint, Query("x.example", DnsType.A))).Status);
        Assert.Equal(MessageStatus.ServerFailure, (await AskUdpAsync(endpoint, Query("y.example", DnsType.A))).Status);
        Assert.Equal(2, throwing.Counters.Failed);
    }

    [Fact]
    public async Task AnEndpointInUseFailsTheStartWithAClearMessage()
    {
        var dns = await StartAsync(Example());
        var clash = new DnsListener(
            new DnsListenerOptions { Endpoints = [dns.V4] },
            new VirtualAddressMap(new VirtualAddressMapOptions()),
            Example(),
            (_, _) => "key");
        var ex = await Assert.ThrowsAsync<DnsListenerException>(() => clash.StartAsync());
        Assert.Contains($"cannot listen for DNS over TCP on {dns.V4}", ex.Message);
        Assert.Contains("already in use", ex.Message);
        await clash.DisposeAsync();

        // The running one is unaffected.
        Assert.Equal(MessageStatus.NoError, (await AskUdpAsync(dns.V4, Query("example.com", DnsType.A))).Status);
    }

    [Fact]
    public void BadOptionsAreRefusedWithTheirName()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DnsListener(
            new DnsListenerOptions { MaxConcurrentLookups = 0 }, new VirtualAddressMap(new VirtualAddressMapOptions()), Example(), (_, _) => "k"));
        Assert.Contains("MaxConcurrentLookups must be at least 1", ex.Message);
    }

    private sealed class ThrowingResolver : IDnsResolver
    {
        public ValueTask<DnsLookup> ResolveAsync(string name, DnsQueryKind kind, string isolationKey, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("circuit manager exploded");
    }
}
