using Burrow.Core.Configuration;
using Burrow.Core.Recovery;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Core.Tests.Recovery;

public class OriginalDestinationResolversTests
{
    [Fact]
    public void LinuxGetsSoOriginalDst()
        => Assert.Equal("SO_ORIGINAL_DST", OriginalDestinationResolvers.Create(new BurrowOptions(), NullLogger.Instance).Method);

    [Fact]
    public void WindowsFailsNamingTheSupportedPlatforms()
    {
        var e = Assert.Throws<PlatformNotSupportedException>(() =>
            OriginalDestinationResolvers.Create(new BurrowOptions(), NullLogger.Instance, "other", "Microsoft Windows 10.0.26100"));
        Assert.Contains("Microsoft Windows", e.Message);
        Assert.Contains("supported platforms: Linux (SO_ORIGINAL_DST) and macOS", e.Message);
    }

    [Fact]
    public void MacOSPathRefusesToRunOffMacOS()
        => Assert.Throws<PlatformNotSupportedException>(() =>
            OriginalDestinationResolvers.Create(new BurrowOptions(), NullLogger.Instance, "macos", "Linux"));
}
