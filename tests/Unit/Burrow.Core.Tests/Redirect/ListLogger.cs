using Microsoft.Extensions.Logging;

namespace Burrow.Core.Tests.Redirect;

/// <summary>Keeps every log record for a test to assert on.</summary>
internal sealed class ListLogger : ILogger
{
    public List<(LogLevel Level, EventId Id, string Message)> Records { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Records)
            Records.Add((logLevel, eventId, formatter(state, exception)));
    }
}
