using System.Text.RegularExpressions;
using Burrow.Core.Configuration;
using Burrow.Tests;
using static Burrow.Core.Tests.Configuration.PayloadTestSupport;

namespace Burrow.Core.Tests.Configuration;

/// <summary>The examples in docs/payload.md are payloads that parse.</summary>
public partial class PayloadDocumentationTests
{
    [GeneratedRegex(@"```(toml|json)\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [Fact]
    public void EveryTomlAndJsonExampleParses()
    {
        var doc = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "payload.md")).ReplaceLineEndings("\n");
        var blocks = CodeBlock().Matches(doc).Select(m => (Kind: m.Groups[1].Value, Text: m.Groups[2].Value)).ToList();
        Assert.True(blocks.Count >= 5, $"found {blocks.Count} examples");
        foreach (var (kind, text) in blocks)
        {
            var e = Record.Exception(() => Parse(text));
            Assert.True(e is null, $"{kind} example failed: {e?.Message}\n{text}");
        }
    }

    [Fact]
    public void DefaultsExampleIsWhatTheWriterPrints()
    {
        var doc = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "payload.md")).ReplaceLineEndings("\n");
        var defaults = CodeBlock().Matches(doc).First(m => m.Groups[2].Value.Contains("pflog_fallback = false")).Groups[2].Value;
        Assert.Equal(new BurrowOptions().ToString(), Parse(defaults).ToString());
    }

    [Fact]
    public void TestnetExampleInBothSpellingsGivesTheSameNetwork()
    {
        var doc = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "payload.md")).ReplaceLineEndings("\n");
        var blocks = CodeBlock().Matches(doc).Select(m => m.Groups[2].Value).ToList();
        var lines = Parse(blocks.First(b => b.Contains("dir_authorities")));
        var arti = Parse(blocks.First(b => b.Contains("authorities = [") && !b.Contains("dir_authorities")));
        Assert.Equal(arti.Arti.Authorities, lines.Arti.Authorities);
        Assert.Equal(
            arti.Arti.FallbackCaches.Select(f => (f.RsaIdentity, string.Join(",", f.OrPorts))),
            lines.Arti.FallbackCaches.Select(f => (f.RsaIdentity, string.Join(",", f.OrPorts))));
        Assert.Equal("/srv/burrow/testnet/state", lines.Arti.StateDir);
    }
}
