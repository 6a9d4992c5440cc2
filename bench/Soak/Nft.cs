using System.Globalization;
using System.Text.RegularExpressions;

namespace Burrow.Soak;

/// <summary>An nft table with one nat output chain, deleted on dispose (only inside the soak's namespace).
/// The same shape as bench/SideBySide's.</summary>
internal sealed class Nft : IDisposable
{
    private readonly string _name = "burrow_soak_" + Guid.NewGuid().ToString("N")[..8];

    public Nft(string rule) =>
        Program.Sh("nft", "-f -", $"table ip {_name} {{\n chain out {{\n  type nat hook output priority -100; policy accept;\n  {rule}\n }}\n}}\n");

    public long Packets() =>
        Regex.Matches(Program.Sh("nft", $"list table ip {_name}"), @"counter packets (\d+)").Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    public void Dispose()
    {
        try { Program.Sh("nft", $"delete table ip {_name}"); } catch (InvalidOperationException) { }
    }
}
