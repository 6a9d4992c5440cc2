using System.Text.RegularExpressions;
using Burrow.Core.Tests.Integration;

namespace Burrow.Core.Tests.Redirect;

/// <summary>
/// A test's own nft table with one counting rule on a hook at a chosen priority: the proof that a
/// packet really passed that hook (before or after the table under test), so "the table under test did
/// not count it" is a real observation rather than the absence of a packet.
/// </summary>
internal sealed partial class ControlCounter : IDisposable
{
    public ControlCounter(string chainType, string hook, int priority, string match)
    {
        TestNamespace.Require();
        Table = "burrow_test_ctl_" + Guid.NewGuid().ToString("N")[..8];
        TestNamespace.Run("nft", "-f -", $$"""
            table inet {{Table}} {
              chain c {
                type {{chainType}} hook {{hook}} priority {{priority}}; policy accept;
                {{match}} counter
              }
            }
            """);
    }

    public string Table { get; }

    public long Packets() => long.Parse(CounterPattern().Match(TestNamespace.Run("nft", $"list table inet {Table}")).Groups[1].Value);

    /// <summary>Polls (bounded) until the rule has counted a packet.</summary>
    public async Task WaitForPacketAsync()
    {
        for (var i = 0; i < 250; i++)
        {
            if (Packets() > 0)
                return;
            await Task.Delay(20);
        }
        throw new TimeoutException($"the control rule of {Table} never counted a packet");
    }

    public void Dispose()
    {
        try { TestNamespace.Run("nft", $"delete table inet {Table}"); } catch (InvalidOperationException) { }
    }

    [GeneratedRegex(@"counter packets (\d+)")]
    private static partial Regex CounterPattern();
}
