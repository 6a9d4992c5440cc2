using System.Management.Automation;
using Burrow.Cmdlets.Jobs;
using Microsoft.Extensions.Logging;

namespace Burrow.Cmdlets.Logging;

/// <summary>
/// Bridges Microsoft.Extensions.Logging into a job's streams: Trace/Debug -> Debug,
/// Information -> Verbose, Warning -> Warning, Error/Critical -> Error. Records are added to the
/// job's collections (thread-safe), never written from background threads to the pipeline.
/// </summary>
internal sealed class JobLoggerProvider : ILoggerProvider
{
    private BurrowNetworkJob? _job;

    /// <summary>The job exists only after the network (which needs loggers) is built: records before this are dropped.</summary>
    public void Attach(BurrowNetworkJob job) => _job = job;

    public ILogger CreateLogger(string categoryName) => new JobLogger(this, categoryName);

    public void Dispose() { }

    private sealed class JobLogger(JobLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel) || provider._job is not { } job) return;
            var text = formatter(state, exception);
            if (exception != null && logLevel >= LogLevel.Error)
                text += " (" + exception.Message + ")";
            switch (logLevel)
            {
                case LogLevel.Trace:
                case LogLevel.Debug:
                    job.AddDebug(new DebugRecord(text));
                    break;
                case LogLevel.Information:
                    job.AddVerbose(new VerboseRecord(text));
                    break;
                case LogLevel.Warning:
                    job.AddWarning(new WarningRecord(text));
                    break;
                default:
                    job.AddError(new ErrorRecord(exception ?? new InvalidOperationException(text), "Burrow" + (eventId.Name ?? "Log"),
                        ErrorCategory.NotSpecified, category) { ErrorDetails = new ErrorDetails(text) });
                    break;
            }
        }
    }
}
