using System.Diagnostics;

namespace Burrow.Core.Tests.Transparent;

/// <summary>tests/FdLimitChild run as a child process (its own RLIMIT_NOFILE, its own transparent listener), driven
/// over stdin/stdout with bounded waits; killed with its whole tree on dispose.</summary>
internal sealed class FdLimitChildProcess : IDisposable
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;

    private FdLimitChildProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<FdLimitChildProcess> StartAsync(int descriptorLimit)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Burrow.FdLimitChild.dll");
        var start = new ProcessStartInfo("dotnet", [dll, descriptorLimit.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("the child did not start");
        var child = new FdLimitChildProcess(process, 0);
        var first = await child.ReadLineAsync();
        if (first?.StartsWith("listening ", StringComparison.Ordinal) != true)
        {
            child.Dispose();
            throw new InvalidOperationException($"the child said '{first}' instead of 'listening PORT': {await process.StandardError.ReadToEndAsync()}");
        }
        return new FdLimitChildProcess(process, int.Parse(first["listening ".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }

    public async Task<string> AskAsync(string command)
    {
        if (_process.HasExited)
            throw new InvalidOperationException($"the child exited with {_process.ExitCode}: {await _process.StandardError.ReadToEndAsync()}");
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        return await ReadLineAsync() ?? throw new InvalidOperationException($"the child closed its output (exited: {_process.HasExited})");
    }

    /// <summary>"accepted=A held=H failures=F recovered=R first=ERROR" as a dictionary.</summary>
    public async Task<Dictionary<string, string>> StatsAsync() =>
        (await AskAsync("stats")).Split(' ').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

    private async Task<string?> ReadLineAsync()
    {
        try
        {
            return await _process.StandardOutput.ReadLineAsync().WaitAsync(AnswerTimeout);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
