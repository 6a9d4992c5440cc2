using System.Net;
using Burrow.Core.Recovery;
using Burrow.Core.Recovery.MacOS;
using Burrow.Tests;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Core.Tests.Recovery.MacOS;

public class MacOSChainResolverTests
{
    private static readonly AcceptedEndPoints Flow = AcceptedEndPoints.Of(IPEndPoint.Parse("192.0.2.10:51544"), IPEndPoint.Parse("127.0.0.1:9040"));
    private static readonly IPEndPoint Original = IPEndPoint.Parse("198.51.100.7:443");
    private static readonly TimeSpan Wait = TimeSpan.FromMilliseconds(250);

    private sealed class Setup
    {
        public ManualTimeProvider Time { get; } = new();
        public FakePfDevice Device { get; init; } = new();
        public PflogFlowCache Cache { get; }
        public string? Fault { get; set; }
        public MacOSChainResolver Chain { get; }

        public Setup(FakePfDevice? device = null, bool withPflog = true)
        {
            Device = device ?? new FakePfDevice();
            Cache = new PflogFlowCache(TimeSpan.FromSeconds(30), 64, Time);
            var pflog = withPflog ? new PflogResolver(Cache, Wait, () => Fault, NullLogger.Instance) : null;
            Chain = new MacOSChainResolver(new PfNatLookResolver(Device, NullLogger.Instance), pflog);
        }
    }

    [Fact]
    public async Task DiocNatLookAnswersFirst()
    {
        var setup = new Setup(FakePfDevice.Answering(PfDirection.Out, Original));
        setup.Cache.Add(PflogFlowKey.ForTcpPeer(Flow.Peer), IPEndPoint.Parse("203.0.113.1:80"));

        var result = await setup.Chain.ResolveAsync(Flow, CancellationToken.None).Guarded();

        Assert.Equal(RecoveryStatus.Found, result.Status);
        Assert.Equal("DIOCNATLOOK", result.Method);
        Assert.Equal(Original, result.Destination);
        Assert.Equal(0, setup.Cache.Count); // the now useless record is dropped
    }

    [Fact]
    public async Task EnoentThenPfInSucceedsWithoutThePflogFallback()
    {
        var setup = new Setup(FakePfDevice.Answering(PfDirection.In, Original));

        var result = await setup.Chain.ResolveAsync(Flow, CancellationToken.None).Guarded();

        Assert.Equal("DIOCNATLOOK", result.Method);
        Assert.Equal(Original, result.Destination);
        Assert.Equal(2, setup.Device.Requests.Count);
    }

    [Fact]
    public async Task PflogAnswersWhenPfHasNoState()
    {
        var setup = new Setup();
        setup.Cache.Add(PflogFlowKey.ForTcpPeer(Flow.Peer), Original);

        var result = await setup.Chain.ResolveAsync(Flow, CancellationToken.None).Guarded();

        Assert.Equal(RecoveryStatus.Found, result.Status);
        Assert.Equal("pflog0", result.Method);
        Assert.Equal(Original, result.Destination);
    }

    [Fact]
    public async Task PflogAnswersALateRecord()
    {
        var setup = new Setup();

        var task = setup.Chain.ResolveAsync(Flow, CancellationToken.None).AsTask();
        Assert.False(task.IsCompleted);
        setup.Cache.Add(PflogFlowKey.ForTcpPeer(Flow.Peer), Original);

        var result = await task.Guarded();
        Assert.Equal("pflog0", result.Method);
        Assert.Equal(Original, result.Destination);
    }

    [Fact]
    public async Task BothMissingIsNotRedirected()
    {
        var setup = new Setup();

        var task = setup.Chain.ResolveAsync(Flow, CancellationToken.None).AsTask();
        setup.Time.Advance(Wait);
        var result = await task.Guarded();

        Assert.Equal(RecoveryStatus.NotRedirected, result.Status);
        Assert.Equal("DIOCNATLOOK+pflog0", result.Method);
        Assert.Contains("no redirect state", result.Reason);
        Assert.Contains("no logged SYN", result.Reason);
    }

    [Fact]
    public async Task PflogAnswersEvenWhenDiocNatLookFails()
    {
        var device = new FakePfDevice();
        device.Errno[PfDirection.Out] = DarwinErrno.EINVAL;
        var setup = new Setup(device);
        setup.Cache.Add(PflogFlowKey.ForTcpPeer(Flow.Peer), Original);

        var result = await setup.Chain.ResolveAsync(Flow, CancellationToken.None).Guarded();

        Assert.Equal("pflog0", result.Method);
        Assert.Equal(Original, result.Destination);
    }

    [Fact]
    public async Task AFailureWithNoPflogRecordIsAFailureNamingBoth()
    {
        var device = new FakePfDevice();
        device.Errno[PfDirection.Out] = DarwinErrno.EPERM;
        var setup = new Setup(device);

        var task = setup.Chain.ResolveAsync(Flow, CancellationToken.None).AsTask();
        setup.Time.Advance(Wait);
        var result = await task.Guarded();

        Assert.Equal(RecoveryStatus.Failed, result.Status);
        Assert.Contains("run as root", result.Reason);
        Assert.Contains("pflog0:", result.Reason);
    }

    [Fact]
    public async Task AStoppedObserverIsReportedAsAFailure()
    {
        var setup = new Setup { Fault = "the pflog interface went away" };

        var task = setup.Chain.ResolveAsync(Flow, CancellationToken.None).AsTask();
        setup.Time.Advance(Wait);
        var result = await task.Guarded();

        Assert.Equal(RecoveryStatus.Failed, result.Status);
        Assert.Contains("observer stopped (the pflog interface went away)", result.Reason);
    }

    [Fact]
    public async Task APflogRecordPointingAtTheListenerIsNotRedirected()
    {
        var setup = new Setup();
        setup.Cache.Add(PflogFlowKey.ForTcpPeer(Flow.Peer), Flow.Local);

        var result = await setup.Chain.ResolveAsync(Flow, CancellationToken.None).Guarded();

        Assert.Equal(RecoveryStatus.NotRedirected, result.Status);
        Assert.Contains("listener itself", result.Reason);
    }

    [Fact]
    public async Task WithoutTheFallbackAMissIsReturnedAtOnce()
    {
        var setup = new Setup(withPflog: false);
        setup.Cache.Add(PflogFlowKey.ForTcpPeer(Flow.Peer), Original);

        var task = setup.Chain.ResolveAsync(Flow, CancellationToken.None);

        Assert.True(task.IsCompleted);
        var result = await task.Guarded();
        Assert.Equal(RecoveryStatus.NotRedirected, result.Status);
        Assert.Equal("DIOCNATLOOK", result.Method);
        Assert.Equal("DIOCNATLOOK", setup.Chain.Method);
        Assert.False(setup.Chain.HasPflogFallback);
    }

    [Fact]
    public async Task CancellationDuringTheWaitPropagates()
    {
        var setup = new Setup();
        using var cts = new CancellationTokenSource();

        var task = setup.Chain.ResolveAsync(Flow, cts.Token).AsTask();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task.Guarded());
    }
}
