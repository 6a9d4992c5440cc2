using Burrow.Tor.Cells;
using Microsoft.Extensions.Logging;

namespace Burrow.Tor.Channels;

/// <summary>Channel log messages. Relays' addresses are not user activity, but are still kept at Debug.</summary>
internal static partial class ChannelLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Debug, Message = "Channel to {Relay} open (link protocol {LinkVersion})")]
    public static partial void Opened(ILogger logger, ChannelTarget relay, int linkVersion);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Debug, Message = "Channel to {Relay} failed during the handshake: {Reason}")]
    public static partial void HandshakeFailed(ILogger logger, ChannelTarget relay, string reason);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "Channel to {Relay} closed ({Kind}): {Reason}")]
    public static partial void Closed(ILogger logger, ChannelTarget relay, ChannelErrorKind kind, string reason);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Trace, Message = "Channel to {Relay}: dropped a {Command} cell for circuit {CircId}")]
    public static partial void DroppedCell(ILogger logger, ChannelTarget relay, ChannelCommand command, uint circId);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Debug, Message = "Channel to {Relay}: the relay's clock differs from ours by {Seconds:0} s (NETINFO)")]
    public static partial void PeerClock(ILogger logger, ChannelTarget relay, double seconds);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "{Warning}")]
    public static partial void ClockSkewed(ILogger logger, string warning);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Channel to {Relay}: circuit {CircId} failed to handle a {Command} cell")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, ChannelTarget relay, uint circId, ChannelCommand command);
}
