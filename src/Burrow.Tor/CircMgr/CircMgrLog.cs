using Microsoft.Extensions.Logging;

namespace Burrow.Tor.CircMgr;

/// <summary>Circuit manager log messages.</summary>
internal static partial class CircMgrLog
{
    [LoggerMessage(EventId = 1600, Level = LogLevel.Information, Message = "Circuit build timeout learned: {TimeoutMs} ms (close after {CloseMs} ms) from {Samples} build times (Pareto Xm {Xm:0} ms, alpha {Alpha:0.00}).")]
    public static partial void BuildTimeoutLearned(ILogger logger, int timeoutMs, int closeMs, int samples, double xm, double alpha);

    [LoggerMessage(EventId = 1601, Level = LogLevel.Information, Message = "{Timeouts} of the last {Recent} circuits timed out: the network changed; circuit build times discarded and learned again (path-spec 2.4.5).")]
    public static partial void BuildTimesReset(ILogger logger, int timeouts, int recent);
}
