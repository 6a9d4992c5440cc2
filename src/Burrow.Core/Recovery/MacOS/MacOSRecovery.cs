using System.Net;
using Burrow.Core.Configuration;
using Burrow.Core.Net;
using Microsoft.Extensions.Logging;

namespace Burrow.Core.Recovery.MacOS;

/// <summary>
/// Entry points of the macOS destination recovery for the per-OS resolver factory and the payload
/// validation. Everything here rests on facts read from xnu headers (docs PLATFORM.md) and has
/// not yet been run on a real Mac.
/// </summary>
internal static class MacOSRecovery
{
    /// <summary>
    /// Checks that the listen address suits the options: the pflog0 fallback matches flows by the
    /// accepted socket's tuple, so it needs an explicit local address (e.g. 127.0.0.1:9040), never
    /// a wildcard. Returns null when fine, otherwise the error message.
    /// </summary>
    public static string? ValidateListen(IPEndPoint listen, bool pflogFallback)
    {
        ArgumentNullException.ThrowIfNull(listen);
        if (!pflogFallback)
        {
            return null;
        }

        var address = EndPoints.Unmap(listen.Address);
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return $"tcp_stack.listen: '{listen}' is a wildcard address, but recovery.pflog_fallback = true requires an explicit local listen address such as {BurrowOptions.DefaultListen} (the pflog0 observer matches connections by the listener's own address); set tcp_stack.listen to it or set recovery.pflog_fallback = false";
        }

        if (listen.Port == 0)
        {
            return $"tcp_stack.listen: '{listen}' has port 0, but recovery.pflog_fallback = true requires an explicit local listen address and port such as {BurrowOptions.DefaultListen}";
        }

        return null;
    }

    /// <summary>
    /// Builds the resolver to use on macOS: DIOCNATLOOK on /dev/pf, plus the pflog0 observer when
    /// recovery.pflog_fallback is set (opened and started here, before flows arrive, because pf
    /// logs nothing without a BPF listener). The result owns devices and a background reader:
    /// dispose it (it is <see cref="IAsyncDisposable"/> and <see cref="IDisposable"/>) when the
    /// network stops. Throws <see cref="PlatformNotSupportedException"/> off macOS and
    /// <see cref="MacOSRecoveryException"/> with a clear reason when a device cannot be used.
    /// </summary>
    public static IOriginalDestinationResolver Create(BurrowOptions options, ILogger logger) =>
        Create(options, logger, PflogSettings.Default);

    public static MacOSChainResolver Create(BurrowOptions options, ILogger logger, PflogSettings settings)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(settings);
        if (!OperatingSystem.IsMacOS())
        {
            throw new PlatformNotSupportedException(
                "The macOS destination recovery (pf DIOCNATLOOK, pflog0) is only available on macOS.");
        }

        if (ValidateListen(options.TcpStack.Listen, options.Recovery.PflogFallback) is { } error)
        {
            throw new MacOSRecoveryException(error);
        }

        var pf = DarwinPfDevice.Open();
        IBpfCapture? capture = null;
        try
        {
            if (options.Recovery.PflogFallback)
            {
                capture = DarwinBpfCapture.Open(settings.Interface, settings.ReadTimeout);
            }

            return Compose(pf, capture, settings, logger, TimeProvider.System);
        }
        catch
        {
            capture?.Dispose();
            pf.Dispose();
            throw;
        }
    }

    /// <summary>Wires the resolvers over already opened devices (fakes in tests); starts the observer.</summary>
    public static MacOSChainResolver Compose(IPfDevice pf, IBpfCapture? capture, PflogSettings settings, ILogger logger, TimeProvider time)
    {
        var natLook = new PfNatLookResolver(pf, logger);
        if (capture is null)
        {
            logger.RecoveryChosen(PfNatLookResolver.MethodName);
            return new MacOSChainResolver(natLook);
        }

        var cache = new PflogFlowCache(settings.Ttl, settings.Capacity, time);
        var observer = new PflogObserver(capture, cache, logger, settings.Interface);
        var pflog = new PflogResolver(cache, settings.LateRecordWait, () => observer.FaultReason, logger);
        observer.Start();
        var chain = new MacOSChainResolver(natLook, pflog, observer);
        logger.RecoveryChosen(chain.Method);
        return chain;
    }
}
