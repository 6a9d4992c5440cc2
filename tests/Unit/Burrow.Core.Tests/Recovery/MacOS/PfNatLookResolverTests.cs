using System.Net;
using System.Net.Sockets;
using Burrow.Core.Recovery;
using Burrow.Core.Recovery.MacOS;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Core.Tests.Recovery.MacOS;

public class PfNatLookResolverTests
{
    private static readonly AcceptedEndPoints V4 = AcceptedEndPoints.Of(IPEndPoint.Parse("192.0.2.10:51544"), IPEndPoint.Parse("127.0.0.1:9040"));
    private static readonly IPEndPoint Original = IPEndPoint.Parse("198.51.100.7:443");

    private static PfNatLookResolver Resolver(FakePfDevice device) => new(device, NullLogger.Instance);

    [Fact]
    public void PfOutMatchIsFoundWithOneLookup()
    {
        var device = FakePfDevice.Answering(PfDirection.Out, Original);

        var result = Resolver(device).Resolve(V4);

        Assert.Equal(RecoveryStatus.Found, result.Status);
        Assert.Equal(Original, result.Destination);
        Assert.Equal("DIOCNATLOOK", result.Method);
        var request = PfNatLook.Decode(Assert.Single(device.Requests));
        Assert.Equal(V4.Peer, request.Source);
        Assert.Equal(V4.Local, request.Destination);
        Assert.Equal(PfDirection.Out, request.Direction);
        Assert.Equal(6, request.Protocol);
    }

    [Fact]
    public void EnoentOnPfOutIsRetriedWithPfIn()
    {
        var device = FakePfDevice.Answering(PfDirection.In, Original);

        var result = Resolver(device).Resolve(V4);

        Assert.Equal(RecoveryStatus.Found, result.Status);
        Assert.Equal(Original, result.Destination);
        Assert.Equal([PfDirection.Out, PfDirection.In], device.Requests.Select(r => (PfDirection)r[83]));
        Assert.Equal(device.Requests[0][..83], device.Requests[1][..83]); // same lookup, other direction
    }

    [Fact]
    public void Ipv6IsLookedUpWithAfInet6()
    {
        var v6 = AcceptedEndPoints.Of(IPEndPoint.Parse("[2001:db8::10]:40000"), IPEndPoint.Parse("[::1]:9040"));
        var device = FakePfDevice.Answering(PfDirection.Out, IPEndPoint.Parse("[2001:db8:ffff::7]:443"));

        var result = Resolver(device).Resolve(v6);

        Assert.Equal(IPEndPoint.Parse("[2001:db8:ffff::7]:443"), result.Destination);
        Assert.Equal(30, device.Requests[0][80]);
    }

    [Fact]
    public void NoStateEitherWayIsNotRedirected()
    {
        var result = Resolver(new FakePfDevice()).Resolve(V4);

        Assert.Equal(RecoveryStatus.NotRedirected, result.Status);
        Assert.Null(result.Destination);
        Assert.Contains("no redirect state for this connection", result.Reason);
    }

    [Theory]
    [InlineData(DarwinErrno.EPERM, "run as root")]
    [InlineData(DarwinErrno.EINVAL, "internal struct layout error")]
    [InlineData(DarwinErrno.E2BIG, "several pf states match")]
    [InlineData(DarwinErrno.ENXIO, "errno 6 (ENXIO)")]
    public void ErrorsAreFailuresWithClearReasons(int errno, string expected)
    {
        var device = new FakePfDevice();
        device.Errno[PfDirection.Out] = errno;

        var result = Resolver(device).Resolve(V4);

        Assert.Equal(RecoveryStatus.Failed, result.Status);
        Assert.Contains(expected, result.Reason);
        Assert.StartsWith("DIOCNATLOOK", result.Reason);
        Assert.Single(device.Requests); // only ENOENT is retried
    }

    [Fact]
    public void AnErrorOnTheRetryIsReported()
    {
        var device = new FakePfDevice();
        device.Errno[PfDirection.In] = DarwinErrno.E2BIG;

        Assert.Equal(RecoveryStatus.Failed, Resolver(device).Resolve(V4).Status);
    }

    [Fact]
    public void AnAnswerThatIsTheListenerItselfIsNotRedirected()
    {
        var device = FakePfDevice.Answering(PfDirection.In, V4.Local);

        var result = Resolver(device).Resolve(V4);

        Assert.Equal(RecoveryStatus.NotRedirected, result.Status);
        Assert.Contains("listener itself", result.Reason);
    }

    [Theory]
    [InlineData("0.0.0.0:443")]
    [InlineData("198.51.100.7:0")]
    public void AnEmptyAnswerIsAFailure(string answer)
    {
        var device = FakePfDevice.Answering(PfDirection.Out, IPEndPoint.Parse(answer));

        Assert.Equal(RecoveryStatus.Failed, Resolver(device).Resolve(V4).Status);
    }

    [Fact]
    public void AfterDisposeLookupsFailAndTheDeviceIsClosed()
    {
        var device = FakePfDevice.Answering(PfDirection.Out, Original);
        var resolver = Resolver(device);

        resolver.Dispose();

        Assert.True(device.Disposed);
        Assert.Equal(RecoveryStatus.Failed, resolver.Resolve(V4).Status);
        Assert.Empty(device.Requests);
    }

    [Fact]
    public async Task ARealAcceptedSocketIsLookedUpByItsPeerAndLocalEndpoints()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        using var accepted = await listener.AcceptAsync();
        var device = FakePfDevice.Answering(PfDirection.Out, Original);

        var result = await Resolver(device).ResolveAsync(accepted, CancellationToken.None);

        Assert.Equal(Original, result.Destination);
        var request = PfNatLook.Decode(device.Requests[0]);
        Assert.Equal(client.LocalEndPoint, request.Source);
        Assert.Equal(listener.LocalEndPoint, request.Destination);
    }

    [Fact]
    public async Task AClosedSocketIsAFailureNotAnException()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Dispose();

        var result = await Resolver(new FakePfDevice()).ResolveAsync(socket, CancellationToken.None);

        Assert.Equal(RecoveryStatus.Failed, result.Status);
    }
}
