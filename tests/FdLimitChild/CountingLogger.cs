using Microsoft.Extensions.Logging;

namespace Burrow.FdLimitChild;

/// <summary>Counts the listener's accept-failed (event 100) and recovered (event 101) records.</summary>
internal sealed class CountingLogger : ILogger
{
    private int _failures;
    private int _recovered;

    public int Failures => Volatile.Read(ref _failures);

    public int Recovered => Volatile.Read(ref _recovered);

    public string FirstError { get; private set; } = "none";

    // No LINQ or other assembly that might not be loaded yet: this runs when no descriptor is left to load one.
    private static string ErrorOf<TState>(TState state)
    {
        if (state is IReadOnlyList<KeyValuePair<string, object?>> fields)
            for (var i = 0; i < fields.Count; i++)
                if (fields[i].Key == "Error")
                    return fields[i].Value?.ToString() ?? "?";
        return "?";
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Id == 100 && Interlocked.Increment(ref _failures) == 1)
            FirstError = ErrorOf(state);
        else if (eventId.Id == 101)
            Interlocked.Increment(ref _recovered);
    }
}
