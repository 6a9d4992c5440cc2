using System.Diagnostics;

namespace Burrow.Core.Tests.Integration;

/// <summary>
/// Kernel-redirect tests add nft rules. They must only ever do so inside a network namespace made for
/// the test run (./build.sh test makes one, with a dummy default route so nothing leaves), never in
/// the host's own namespace.
/// </summary>
internal static class TestNamespace
{
    public static void Require()
    {
        // `ip netns identify` names the namespace this process is in when it is a named one (made by
        // `ip netns add`); the host's own namespace has no name.
        var name = Run("ip", "netns identify").Trim();
        if (!name.StartsWith("burrow-", StringComparison.Ordinal))
            throw new InvalidOperationException(
                "this test programs nft redirect rules and must run inside its own network namespace: run it through './build.sh test' " +
                "(or 'build/in-namespace.sh dotnet test ...'), never in the host's main namespace");
    }

    /// <summary>Runs a command, failing the test with its output if it fails.</summary>
    public static string Run(string file, string args, string? stdin = null)
    {
        var psi = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin != null,
        };
        using var p = Process.Start(psi)!;
        if (stdin != null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{file} {args} failed ({p.ExitCode}): {error}{output}\n{stdin}");
        return output;
    }
}

/// <summary>An nft table owned by one test, deleted as a whole on dispose.</summary>
internal sealed class NftTable : IDisposable
{
    private readonly string _family;

    /// <param name="family">ip, ip6 or inet</param>
    /// <param name="outputRules">rules for a nat chain on the output hook</param>
    public NftTable(string family, params string[] outputRules)
    {
        TestNamespace.Require();
        _family = family;
        Name = "burrow_test_" + Guid.NewGuid().ToString("N")[..10];
        var rules = string.Join("\n", outputRules.Select(r => "    " + r));
        TestNamespace.Run("nft", "-f -", $$"""
            table {{family}} {{Name}} {
              chain out {
                type nat hook output priority -100; policy accept;
            {{rules}}
              }
            }
            """);
    }

    public string Name { get; }

    /// <summary>Packets counted by the table's counter rules.</summary>
    public long Packets()
    {
        var text = TestNamespace.Run("nft", $"list table {_family} {Name}");
        return System.Text.RegularExpressions.Regex.Matches(text, @"counter packets (\d+)").Sum(m => long.Parse(m.Groups[1].Value));
    }

    public void Dispose()
    {
        try { TestNamespace.Run("nft", $"delete table {_family} {Name}"); } catch (InvalidOperationException) { }
    }
}
