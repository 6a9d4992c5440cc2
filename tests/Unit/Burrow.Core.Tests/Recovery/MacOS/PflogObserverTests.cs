using System.Net;
using System.Net.Sockets;
using Burrow.Core.Recovery;
using Burrow.Core.Recovery.MacOS;
using Burrow.Tests;
using Microsoft.Extensions.Logging.Abstractions;
using static Burrow.Core.Tests.Recovery.MacOS.PflogFixtures;

namespace Burrow.Core.Tests.Recovery.MacOS;

public class PflogObserverTests
{
    private static PflogFlowCache NewCache(TimeProvider? time = null) => new(TimeSpan.FromSeconds(30), 64, time ?? new ManualTimeProvider());

    [Fact]
    public void OneReadBufferWithMixedRecordsRecordsOnlyOutboundSyns()
    {
        var cache = NewCache();
        using var observer = new PflogObserver(new FakeBpfCapture(), cache, NullLogger.Instance);
        var buffer = BpfBuffer(
            Ipv4SynRecord("192.0.2.10", 51544, "198.51.100.7", 443),
            Record(PflogHeader(2), Ipv4("198.51.100.7", "192.0.2.10", Tcp(443, 51544, Syn | Ack))),
            Ipv6SynRecord("2001:db8::10", 40000, "2001:db8:ffff::7", 8443),
            Record(PflogHeader(2), Ipv4("192.0.2.10", "192.0.2.53", Tcp(5353, 53, 0), protocol: 17)),
            Ipv4SynRecord("192.0.2.10", 51545, "127.0.0.1", 9040, dir: 1),
            Record(PflogHeader(2), Ipv4("192.0.2.10", "198.51.100.8", Tcp(51546, 80, Syn), options: [1, 1, 1, 0])));

        Assert.Equal(3, observer.ProcessBuffer(buffer));

        Assert.Equal(6, observer.RecordsSeen);
        Assert.Equal(3, observer.SynsRecorded);
        Assert.Equal(3, cache.Count);
        Assert.Equal(IPEndPoint.Parse("198.51.100.7:443"), cache.TryTake(PflogFlowKey.ForTcpPeer(IPEndPoint.Parse("192.0.2.10:51544"))));
        Assert.Equal(IPEndPoint.Parse("[2001:db8:ffff::7]:8443"), cache.TryTake(PflogFlowKey.ForTcpPeer(IPEndPoint.Parse("[2001:db8::10]:40000"))));
        Assert.Equal(IPEndPoint.Parse("198.51.100.8:80"), cache.TryTake(PflogFlowKey.ForTcpPeer(IPEndPoint.Parse("192.0.2.10:51546"))));
    }

    [Fact]
    public void ATruncatedRecordIsSkippedAndTheNextStillRead()
    {
        var cache = NewCache();
        using var observer = new PflogObserver(new FakeBpfCapture(), cache, NullLogger.Instance);
        var whole = Ipv4SynRecord("192.0.2.10", 1000, "198.51.100.7", 443);
        var cut = whole[..(64 + 20 + 3)]; // snap length ended inside the TCP ports
        var buffer = BpfBuffer(20, (cut, whole.Length), (Ipv4SynRecord("192.0.2.10", 1001, "198.51.100.7", 443), whole.Length));

        Assert.Equal(1, observer.ProcessBuffer(buffer));
        Assert.NotNull(cache.TryTake(PflogFlowKey.ForTcpPeer(IPEndPoint.Parse("192.0.2.10:1001"))));
        Assert.Equal(0, observer.MalformedBuffers);
    }

    [Fact]
    public void AMalformedBufferIsCountedNotThrown()
    {
        using var observer = new PflogObserver(new FakeBpfCapture(), NewCache(), NullLogger.Instance);
        var buffer = BpfBuffer(Ipv4SynRecord("192.0.2.10", 1000, "198.51.100.7", 443));
        buffer[8] = 0xff; // caplen past the end

        Assert.Equal(0, observer.ProcessBuffer(buffer));
        Assert.Equal(1, observer.MalformedBuffers);
    }

    [Fact]
    public async Task TheReadLoopFeedsTheCacheUntilDisposed()
    {
        var capture = new FakeBpfCapture();
        var cache = NewCache(TimeProvider.System);
        var observer = new PflogObserver(capture, cache, NullLogger.Instance);
        observer.Start();

        capture.Enqueue(BpfBuffer(Ipv4SynRecord("192.0.2.10", 2000, "198.51.100.7", 443)));
        capture.Enqueue(BpfBuffer(Ipv6SynRecord("2001:db8::10", 2001, "2001:db8::7", 80)));

        // Generous waits: the records land as soon as the loop reads them; nothing here measures time.
        var v4 = await cache.TakeAsync(PflogFlowKey.ForTcpPeer(IPEndPoint.Parse("192.0.2.10:2000")), TimeSpan.FromSeconds(30), CancellationToken.None).Guarded();
        var v6 = await cache.TakeAsync(PflogFlowKey.ForTcpPeer(IPEndPoint.Parse("[2001:db8::10]:2001")), TimeSpan.FromSeconds(30), CancellationToken.None).Guarded();
        Assert.Equal(IPEndPoint.Parse("198.51.100.7:443"), v4);
        Assert.Equal(IPEndPoint.Parse("[2001:db8::7]:80"), v6);

        await observer.DisposeAsync();
        Assert.True(observer.Completion.IsCompletedSuccessfully);
        Assert.True(capture.Disposed);
        Assert.Null(observer.FaultReason);

        var calls = capture.ReadCalls;
        await Task.Yield();
        Assert.Equal(calls, capture.ReadCalls); // the loop has ended
    }

    [Fact]
    public async Task ADeviceFailureStopsTheLoopAndIsReported()
    {
        var capture = new FakeBpfCapture();
        var cache = NewCache(TimeProvider.System);
        await using var observer = new PflogObserver(capture, cache, NullLogger.Instance);
        var resolver = new PflogResolver(cache, TimeSpan.Zero, () => observer.FaultReason, NullLogger.Instance);
        observer.Start();

        capture.EnqueueFailure(new MacOSRecoveryException("/dev/bpf3: the pflog interface went away (errno 6 (ENXIO)).", DarwinErrno.ENXIO));
        await observer.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains("went away", observer.FaultReason);
        var result = await resolver.ResolveAsync(AcceptedEndPoints.Of(IPEndPoint.Parse("192.0.2.10:1"), IPEndPoint.Parse("127.0.0.1:9040")), CancellationToken.None).Guarded();
        Assert.Equal(RecoveryStatus.Failed, result.Status);
        Assert.Contains("observer stopped", result.Reason);
    }

    [Fact]
    public void StartingTwiceIsRefused()
    {
        using var observer = new PflogObserver(new FakeBpfCapture(), NewCache(), NullLogger.Instance);
        observer.Start();
        Assert.Throws<InvalidOperationException>(observer.Start);
    }

    [Fact]
    public async Task DisposingBeforeStartClosesTheDevice()
    {
        var capture = new FakeBpfCapture();
        var observer = new PflogObserver(capture, NewCache(), NullLogger.Instance);
        await observer.DisposeAsync();
        await observer.DisposeAsync();
        Assert.True(capture.Disposed);
        Assert.Throws<InvalidOperationException>(observer.Start);
    }
}
