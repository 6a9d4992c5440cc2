using System.Net;
using Microsoft.Extensions.Logging;

namespace Burrow.Core.Recovery.MacOS;

/// <summary>Log messages of the macOS recovery. Destinations are user activity: Debug only.</summary>
internal static partial class MacOSRecoveryLog
{
    [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "Destination recovery on macOS: {Methods}")]
    public static partial void RecoveryChosen(this ILogger logger, string methods);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Debug, Message = "DIOCNATLOOK: {Peer} -> {Local} was going to {Destination}")]
    public static partial void NatLookFound(this ILogger logger, IPEndPoint peer, IPEndPoint local, IPEndPoint destination);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Debug, Message = "DIOCNATLOOK: {Peer} -> {Local}: {Reason}")]
    public static partial void NatLookMissed(this ILogger logger, IPEndPoint peer, IPEndPoint local, string reason);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Warning, Message = "DIOCNATLOOK failed: {Reason}")]
    public static partial void NatLookFailed(this ILogger logger, string reason);

    [LoggerMessage(EventId = 7110, Level = LogLevel.Information, Message = "pflog observer started on {Interface}")]
    public static partial void ObserverStarted(this ILogger logger, string @interface);

    [LoggerMessage(EventId = 7111, Level = LogLevel.Error, Message = "pflog observer on {Interface} stopped: {Reason}; the fallback finds no new flows")]
    public static partial void ObserverFailed(this ILogger logger, string @interface, string reason);

    [LoggerMessage(EventId = 7112, Level = LogLevel.Debug, Message = "pflog: SYN from {Source} was going to {Destination}")]
    public static partial void SynRecorded(this ILogger logger, PflogFlowKey source, IPEndPoint destination);

    [LoggerMessage(EventId = 7113, Level = LogLevel.Debug, Message = "pflog: a BPF read buffer had a malformed record header; the rest of that buffer was skipped")]
    public static partial void MalformedBuffer(this ILogger logger);

    [LoggerMessage(EventId = 7114, Level = LogLevel.Debug, Message = "pflog: {Peer} -> {Local}: {Reason}")]
    public static partial void PflogMissed(this ILogger logger, IPEndPoint peer, IPEndPoint local, string reason);
}
