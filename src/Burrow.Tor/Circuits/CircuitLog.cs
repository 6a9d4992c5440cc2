using Burrow.Tor.Cells;
using Microsoft.Extensions.Logging;

namespace Burrow.Tor.Circuits;

/// <summary>Circuit log messages. Stream destinations are user activity: Debug only.</summary>
internal static partial class CircuitLog
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Debug, Message = "Circuit {CircId:X8} via {Relay}: {Hops} hop(s) built")]
    public static partial void Built(ILogger logger, uint circId, string relay, int hops);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Debug, Message = "Circuit {CircId:X8} via {Relay} closed ({Kind}): {Reason}")]
    public static partial void Closed(ILogger logger, uint circId, string relay, CircuitErrorKind kind, string reason);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Debug, Message = "Circuit {CircId:X8}: stream {StreamId} to {Destination}")]
    public static partial void StreamOpening(ILogger logger, uint circId, ushort streamId, string destination);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Trace, Message = "Circuit {CircId:X8}: ignored relay command {Command} from hop {Hop}")]
    public static partial void IgnoredRelayCommand(ILogger logger, uint circId, RelayCommand command, int hop);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Debug, Message = "Circuit {CircId:X8}: hop {Hop} sent relay command {Command}, which this client does not know; dropped (tor-spec 6.1), further ones are counted")]
    public static partial void FirstUnknownRelayCommand(ILogger logger, uint circId, byte command, int hop);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Debug, Message = "Circuit {CircId:X8}: no traffic for {Seconds} s with streams open; sending a liveness probe. State: {State}")]
    public static partial void LivenessProbe(ILogger logger, uint circId, double seconds, string state);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Debug, Message = "Circuit {CircId:X8} via {Relay}: hop {Hop} accepted congestion control (sendme_inc {SendmeInc}, cwnd {Cwnd})")]
    public static partial void CongestionControlNegotiated(ILogger logger, uint circId, string relay, int hop, int sendmeInc, int cwnd);
}
