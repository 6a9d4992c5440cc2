using System.Net;
using Burrow.Core.Configuration;
using Burrow.Core.Recovery;
using Burrow.Core.Recovery.MacOS;
using Burrow.Tests;
using Microsoft.Extensions.Logging.Abstractions;
using static Burrow.Core.Tests.Recovery.MacOS.PflogFixtures;

namespace Burrow.Core.Tests.Recovery.MacOS;

public class MacOSRecoveryTests
{
    [Theory]
    [InlineData("0.0.0.0:9040")]
    [InlineData("[::]:9040")]
    [InlineData("[::ffff:0.0.0.0]:9040")]
    public void AWildcardListenWithThePflogFallbackIsAnError(string listen)
    {
        var error = MacOSRecovery.ValidateListen(IPEndPoint.Parse(listen), pflogFallback: true);

        Assert.NotNull(error);
        Assert.Contains("tcp_stack.listen", error);
        Assert.Contains("recovery.pflog_fallback", error);
        Assert.Contains("127.0.0.1:9040", error);
    }

    [Theory]
    [InlineData("127.0.0.1:9040", true)]
    [InlineData("[::1]:9040", true)]
    [InlineData("192.168.64.1:9040", true)]
    [InlineData("0.0.0.0:9040", false)]
    [InlineData("[::]:9040", false)]
    public void ExplicitAddressesOrNoFallbackAreFine(string listen, bool pflogFallback)
    {
        Assert.Null(MacOSRecovery.ValidateListen(IPEndPoint.Parse(listen), pflogFallback));
    }

    [Fact]
    public void PortZeroWithTheFallbackIsAnError()
    {
        Assert.Contains("port 0", MacOSRecovery.ValidateListen(IPEndPoint.Parse("127.0.0.1:0"), true));
    }

    [Fact]
    public async Task ComposeWithoutACaptureIsDiocNatLookOnly()
    {
        var device = FakePfDevice.Answering(PfDirection.Out, IPEndPoint.Parse("198.51.100.7:443"));
        await using var chain = MacOSRecovery.Compose(device, null, PflogSettings.Default, NullLogger.Instance, new ManualTimeProvider());

        Assert.Equal("DIOCNATLOOK", chain.Method);
        Assert.Null(chain.Observer);
    }

    [Fact]
    public async Task ComposeWithACaptureStartsTheObserverAndDisposesEverything()
    {
        var device = new FakePfDevice();
        var capture = new FakeBpfCapture();
        var chain = MacOSRecovery.Compose(device, capture, PflogSettings.Default with { LateRecordWait = TimeSpan.FromSeconds(30) }, NullLogger.Instance, TimeProvider.System);
        Assert.Equal("DIOCNATLOOK+pflog0", chain.Method);

        // End to end over fakes: a SYN read from "pflog0" answers the lookup DIOCNATLOOK could not.
        capture.Enqueue(BpfBuffer(Ipv4SynRecord("192.0.2.10", 3000, "198.51.100.9", 8080)));
        var result = await chain.ResolveAsync(
            AcceptedEndPoints.Of(IPEndPoint.Parse("192.0.2.10:3000"), IPEndPoint.Parse("127.0.0.1:9040")), CancellationToken.None).Guarded();

        Assert.Equal(RecoveryStatus.Found, result.Status);
        Assert.Equal("pflog0", result.Method);
        Assert.Equal(IPEndPoint.Parse("198.51.100.9:8080"), result.Destination);

        await chain.DisposeAsync();
        Assert.True(device.Disposed);
        Assert.True(capture.Disposed);
        Assert.True(chain.Observer!.Completion.IsCompleted);
    }

    // The next tests touch the real devices. Off macOS they prove the device layer refuses with a
    // clear "only on macOS" error (xunit 2.9 has no runtime skip); on a Mac they open the device
    // when root and otherwise expect the "run as root" message.

    [Fact]
    public void CreateOffMacOSSaysItIsMacOSOnly()
    {
        var options = new BurrowOptions();
        if (!OperatingSystem.IsMacOS())
        {
            var e = Assert.Throws<PlatformNotSupportedException>(() => MacOSRecovery.Create(options, NullLogger.Instance));
            Assert.Contains("only available on macOS", e.Message);
            return;
        }

        try
        {
            var resolver = MacOSRecovery.Create(options, NullLogger.Instance);
            Assert.Equal("DIOCNATLOOK", resolver.Method);
            ((IDisposable)resolver).Dispose();
        }
        catch (MacOSRecoveryException e)
        {
            Assert.Contains("run as root", e.Message);
        }
    }

    [Fact]
    public void CreateRejectsAWildcardListenWithTheFallbackBeforeOpeningAnything()
    {
        var options = new BurrowOptions
        {
            TcpStack = new TcpStackSection { Listen = IPEndPoint.Parse("0.0.0.0:9040") },
            Recovery = new RecoverySection { PflogFallback = true },
        };
        if (!OperatingSystem.IsMacOS())
        {
            Assert.Throws<PlatformNotSupportedException>(() => MacOSRecovery.Create(options, NullLogger.Instance));
            return;
        }

        var e = Assert.Throws<MacOSRecoveryException>(() => MacOSRecovery.Create(options, NullLogger.Instance));
        Assert.Contains("tcp_stack.listen", e.Message);
    }

    [Fact]
    public void ThePfDeviceIsMacOSOnly()
    {
        if (!OperatingSystem.IsMacOS())
        {
            var e = Assert.Throws<PlatformNotSupportedException>(DarwinPfDevice.Open);
            Assert.Contains("/dev/pf is only available on macOS", e.Message);
            return;
        }

        try
        {
            using var device = DarwinPfDevice.Open();
            var buffer = new byte[PfNatLook.Size];
            PfNatLook.Encode(buffer, IPEndPoint.Parse("192.0.2.10:1"), IPEndPoint.Parse("127.0.0.1:9"), PfDirection.Out);

            // No such state exists; a layout or ABI mistake shows up as EINVAL instead of ENOENT.
            Assert.Equal(DarwinErrno.ENOENT, device.NatLook(buffer));
        }
        catch (MacOSRecoveryException e)
        {
            Assert.Contains("run as root", e.Message);
        }
    }

    [Fact]
    public void TheBpfObserverDeviceIsMacOSOnly()
    {
        if (!OperatingSystem.IsMacOS())
        {
            var e = Assert.Throws<PlatformNotSupportedException>(() => DarwinBpfCapture.Open("pflog0", TimeSpan.FromMilliseconds(500)));
            Assert.Contains("only available on macOS", e.Message);
            return;
        }

        try
        {
            using var capture = DarwinBpfCapture.Open("pflog0", TimeSpan.FromMilliseconds(500));
            Assert.True(capture.BufferLength > 0);
        }
        catch (MacOSRecoveryException e)
        {
            Assert.True(e.Message.Contains("run as root") || e.Message.Contains("ifconfig pflog0 create"), e.Message);
        }
    }
}
