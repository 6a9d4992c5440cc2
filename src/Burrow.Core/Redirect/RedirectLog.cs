using Microsoft.Extensions.Logging;

namespace Burrow.Core.Redirect;

/// <summary>Log messages of the redirect rules.</summary>
internal static partial class RedirectLog
{
    [LoggerMessage(EventId = 7200, Level = LogLevel.Information, Message = "Redirect rules installed: table inet {Table} ({Scope} scope, {Ownership})")]
    public static partial void Installed(this ILogger logger, string table, RedirectScope scope, string ownership);

    [LoggerMessage(EventId = 7201, Level = LogLevel.Information, Message = "Redirect rules of table inet {Table} replaced (its counters restart at 0)")]
    public static partial void Updated(this ILogger logger, string table);

    [LoggerMessage(EventId = 7202, Level = LogLevel.Information, Message = "Redirect rules removed: table inet {Table}")]
    public static partial void Removed(this ILogger logger, string table);

    [LoggerMessage(EventId = 7203, Level = LogLevel.Warning, Message = "The kernel does not support nft tables owned by a process ({Reason}): table inet {Table} is a plain table, removed on stop, and by the next start if this process dies")]
    public static partial void OwnerUnsupported(this ILogger logger, string table, string reason);

    [LoggerMessage(EventId = 7204, Level = LogLevel.Warning, Message = "Removing stale table inet {Table} left by process {Pid}, which is gone")]
    public static partial void StaleTableRemoved(this ILogger logger, string table, int pid);

    [LoggerMessage(EventId = 7205, Level = LogLevel.Error, Message = "Could not delete table inet {Table} on stop; delete it with 'nft delete table inet {Table}'")]
    public static partial void RemoveFailed(this ILogger logger, string table, Exception exception);

    [LoggerMessage(EventId = 7206, Level = LogLevel.Debug, Message = "nft script for table inet {Table}:\n{Script}")]
    public static partial void Script(this ILogger logger, string table, string script);
}
