using System.Net;
using Microsoft.Extensions.Logging;

namespace Burrow.Core.Dns;

/// <summary>The DNS listener's log messages. Names and clients are user activity: Debug only.</summary>
internal static partial class DnsLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "DNS listener serving UDP and TCP on {Endpoints}")]
    public static partial void Started(ILogger logger, string endpoints);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "DNS listener stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Debug, Message = "DNS {Transport} {Client} {QueryType} {Name} -> {Outcome} {Detail}")]
    public static partial void Query(ILogger logger, DnsTransport transport, IPEndPoint client, string? queryType, string? name, DnsQueryOutcome outcome, string? detail);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "DNS upstream lookup failed with an error; answering SERVFAIL")]
    public static partial void ResolverThrew(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "DNS UDP receive on {Endpoint} failed; still serving")]
    public static partial void ReceiveFailed(ILogger logger, IPEndPoint endpoint, Exception exception);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Debug, Message = "DNS TCP connection from {Client} closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, IPEndPoint client, string reason);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Debug, Message = "DNS TCP connection closed at once: {Max} connections already open")]
    public static partial void ConnectionRefused(ILogger logger, int max);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Warning, Message = "DNS query handler failed unexpectedly; the listener keeps serving")]
    public static partial void HandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Warning, Message = "A DNS QueryHandled subscriber threw; ignored")]
    public static partial void SubscriberThrew(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "DNS TCP accept on {Endpoint} failed; still serving")]
    public static partial void AcceptFailed(ILogger logger, IPEndPoint endpoint, Exception exception);
}
