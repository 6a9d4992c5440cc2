using System.Diagnostics;
using Burrow.Core.Redirect;
using Burrow.Core.Tests.Integration;

namespace Burrow.Core.Tests.Redirect;

/// <summary>
/// kill -9 of a process holding an <see cref="NftablesSession"/> leaves no table: the owner flag ties
/// the table to the session's netlink socket. The child is pwsh (the repository's local tool) loading
/// this build's Burrow.Core and calling NftablesSession.Install through reflection, so the code under
/// test is ours, in a process we can kill.
/// </summary>
[Collection(NftCollection.Name)]
[Trait("Category", "Integration")]
public class CrashCleanupTests
{
    private const string ChildScript = """
        param([string] $Dir, [string] $Network)
        $ErrorActionPreference = 'Stop'
        $core = [Reflection.Assembly]::LoadFrom((Join-Path $Dir 'Burrow.Core.dll'))
        $logging = [Reflection.Assembly]::LoadFrom((Join-Path $Dir 'Microsoft.Extensions.Logging.Abstractions.dll'))
        $planType = $core.GetType('Burrow.Core.Redirect.RedirectPlan', $true)
        $plan = [Activator]::CreateInstance($planType)
        $planType.GetProperty('Network').SetValue($plan, $Network)
        $planType.GetProperty('TcpPort').SetValue($plan, 9040)
        $planType.GetProperty('SocketMark').SetValue($plan, [uint32] 0x4242)
        $planType.GetProperty('FailClosed').SetValue($plan, $true)
        $loggerType = $logging.GetType('Microsoft.Extensions.Logging.ILogger', $true)
        $nullLogger = $logging.GetType('Microsoft.Extensions.Logging.Abstractions.NullLogger', $true).GetProperty('Instance').GetValue($null)
        $install = $core.GetType('Burrow.Core.Redirect.NftablesSession', $true).GetMethod('Install', [type[]] @($planType, $loggerType, [Threading.CancellationToken]))
        $session = $install.Invoke($null, @($plan, $nullLogger, [Threading.CancellationToken]::None))
        [Console]::Out.WriteLine("installed $PID $($session.TableName)")
        [Console]::Out.Flush()
        [Console]::In.ReadLine() | Out-Null
        """;

    [Fact]
    public async Task KillNineOfTheHolderLeavesNoTable()
    {
        TestNamespace.Require();
        var network = "crash" + Guid.NewGuid().ToString("N")[..8];
        var table = NftTableName.For(network);
        var script = Path.Combine(Path.GetTempPath(), $"burrow-crash-{Guid.NewGuid():N}.ps1");
        await File.WriteAllTextAsync(script, ChildScript);
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory, // inside the repository: `dotnet pwsh` finds its tool manifest
        };
        foreach (var a in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-File", script, "-Dir", AppContext.BaseDirectory, "-Network", network })
            psi.ArgumentList.Add(a);
        using var host = Process.Start(psi)!;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var line = await host.StandardOutput.ReadLineAsync(cts.Token);
            if (line is null || !line.StartsWith("installed ", StringComparison.Ordinal))
                Assert.Fail($"the child did not install its table: {line}\n{await host.StandardError.ReadToEndAsync(cts.Token)}");
            var parts = line.Split(' ');
            Assert.Equal(table, parts[2]);
            var listing = TestNamespace.Run("nft", $"list table inet {table}");
            Assert.Contains("flags owner", listing);

            // SIGKILL: no finaliser, no Dispose, nothing of ours runs.
            using var pwsh = Process.GetProcessById(int.Parse(parts[1]));
            pwsh.Kill();
            await pwsh.WaitForExitAsync(cts.Token);

            for (var i = 0; TestNamespace.Run("nft", "list tables").Contains($"table inet {table}\n"); i++)
            {
                Assert.True(i < 100, $"table inet {table} is still there after its holder was killed");
                await Task.Delay(20, cts.Token);
            }
        }
        finally
        {
            if (!host.HasExited)
                host.Kill(entireProcessTree: true);
            File.Delete(script);
        }
    }
}
