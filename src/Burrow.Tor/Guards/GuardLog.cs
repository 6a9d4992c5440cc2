using Microsoft.Extensions.Logging;

namespace Burrow.Tor.Guards;

/// <summary>Guard log messages. Guards are not user activity; path bias findings are the user's business (path-spec 7).</summary>
internal static partial class GuardLog
{
    [LoggerMessage(EventId = 1500, Level = LogLevel.Information, Message = "Path bias: guard {Guard} is failing more circuits than usual ({Counts}; notice below {Percent}% built or {UsePercent}% used).")]
    public static partial void PathBiasNotice(ILogger logger, string guard, string counts, int percent, int usePercent);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "Path bias: guard {Guard} fails many circuits after the first hop ({Counts}; warning below {Percent}%). It may be overloaded, or manipulating which paths succeed.")]
    public static partial void PathBiasWarn(ILogger logger, string guard, string counts, int percent);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "Path bias: guard {Guard} fails an extreme share of circuits after the first hop ({Counts}; extreme below {Percent}% built or {UsePercent}% used): this is what a guard that discards paths it does not control looks like; {Action}.")]
    public static partial void PathBiasExtreme(ILogger logger, string guard, string counts, int percent, int usePercent, string action);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Warning, Message = "Path bias: guard {Guard} disabled ({Counts}); circuits will use other guards.")]
    public static partial void PathBiasDisabled(ILogger logger, string guard, string counts);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Information, Message = "Path bias: guard {Guard} is back to normal ({Counts}).")]
    public static partial void PathBiasRecovered(ILogger logger, string guard, string counts);
}
