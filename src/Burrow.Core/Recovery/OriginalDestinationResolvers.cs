using Burrow.Core.Configuration;
using Burrow.Core.Recovery.Linux;
using Microsoft.Extensions.Logging;

namespace Burrow.Core.Recovery;

/// <summary>Chooses the destination-recovery mechanism for this OS.</summary>
public static class OriginalDestinationResolvers
{
    public const string SupportedPlatforms = "Linux (SO_ORIGINAL_DST) and macOS (PF DIOCNATLOOK, pflog0)";

    /// <summary>Throws <see cref="PlatformNotSupportedException"/> with the supported platforms on any other OS.</summary>
    public static IOriginalDestinationResolver Create(BurrowOptions options, ILogger logger)
        => Create(options, logger, OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "macos" : "other",
            System.Runtime.InteropServices.RuntimeInformation.OSDescription);

    internal static IOriginalDestinationResolver Create(BurrowOptions options, ILogger logger, string os, string osDescription) => os switch
    {
        "linux" => new SoOriginalDstResolver(),
        "macos" => MacOS.MacOSRecovery.Create(options, logger),
        _ => throw new PlatformNotSupportedException(
            $"Burrow cannot recover redirected destinations on {osDescription}: no transparent redirect mechanism is supported there; supported platforms: {SupportedPlatforms}."),
    };
}
