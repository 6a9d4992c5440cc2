using System.Text.RegularExpressions;
using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;
using Burrow.Tor.PathSelection;
using static Burrow.Tor.Tests.NetDoc.NetDocTestData;

namespace Burrow.Tor.Tests.PathSelection;

/// <summary>Relays whose "pr" line lacks what a position needs are not chosen for it (issue 16 item 8, tor-spec 9).</summary>
public class CircuitProtocolsTests
{
    /// <summary>The private network with edited "pr" lines: exit0 without ntor v3 (no congestion control),
    /// relay0 speaking only link protocol 3 (no guard for us), relay1 with only TAP (Relay=1: no hop at all).</summary>
    private static readonly Lazy<NetworkDirectory> Edited = new(() =>
    {
        var source = TestDirectories.Private;
        var text = Text("private-network", "cached-microdesc-consensus");
        text = EditPr(text, "exit0", pr => pr.Replace("Relay=2-6", "Relay=2-3"));
        text = EditPr(text, "relay0", pr => pr.Replace("Link=3-5", "Link=3"));
        text = EditPr(text, "relay1", pr => pr.Replace("Relay=2-6", "Relay=1"));
        var consensus = MicrodescConsensus.Parse(System.Text.Encoding.Latin1.GetBytes(text));
        // The edits break the signatures; accept the edited text under the original's signers.
        var verification = new ConsensusVerification(consensus, consensus.ValidAfter, source.Verification.Authorities, source.Verification.ValidSigners, [], []);
        return NetworkDirectory.Create(verification, source.Relays.Select(r => r.Microdescriptor!));
    });

    private static string EditPr(string text, string nickname, Func<string, string> edit)
    {
        var m = new Regex($"^r {nickname} .*\\n(?:.*\\n)*?(pr [^\\n]*)\\n", RegexOptions.Multiline).Match(text);
        Assert.True(m.Success, nickname);
        var pr = m.Groups[1];
        return text[..pr.Index] + edit(pr.Value) + text[(pr.Index + pr.Length)..];
    }

    private static Relay ByName(NetworkDirectory d, string nickname) => d.Relays.Single(r => r.Nickname == nickname);

    [Fact]
    public void The_checks_read_the_pr_line()
    {
        var d = Edited.Value;
        Assert.False(CircuitProtocols.SupportsCongestionControl(ByName(d, "exit0")));
        Assert.True(CircuitProtocols.SupportsCongestionControl(ByName(d, "exit1")));
        Assert.False(CircuitProtocols.CanBeFirstHop(ByName(d, "relay0")));
        Assert.True(CircuitProtocols.CanCarryCircuits(ByName(d, "relay0")));
        Assert.False(CircuitProtocols.CanCarryCircuits(ByName(d, "relay1")));
        Assert.False(PathSelector.IsUsableForCircuits(ByName(d, "relay1"), stable: false));
    }

    [Fact]
    public void No_path_uses_a_relay_for_a_position_its_protocols_do_not_allow()
    {
        var d = Edited.Value;
        var selector = new PathSelector(TestDirectories.LoopbackRules, new Random(7));
        var guards = new HashSet<string>();
        var middles = new HashSet<string>();
        var exits = new HashSet<string>();
        for (var i = 0; i < 300; i++)
        {
            // A guard manager stand-in: any relay the restriction allows (all relays, so relay0 would be a candidate).
            var path = selector.SelectExitPath(d, ExitRequirement.ForPort(80), ok => d.Relays.Where(ok).OrderBy(_ => Random.Shared.Next()).FirstOrDefault());
            guards.Add(path.Hops[0].Nickname);
            middles.Add(path.Hops[1].Nickname);
            exits.Add(path.Hops[2].Nickname);
        }
        Assert.DoesNotContain("relay1", guards.Concat(middles).Concat(exits));
        Assert.DoesNotContain("relay0", guards);
        Assert.Contains("relay0", middles);
        Assert.Equal(["exit0", "exit1"], exits.Order());
    }

    [Fact]
    public void With_congestion_control_wanted_exits_that_support_it_come_first_and_others_remain_a_fallback()
    {
        var d = Edited.Value;
        var selector = new PathSelector(TestDirectories.LoopbackRules, new Random(3));
        var cc = ExitRequirement.ForPort(80) with { CongestionControl = true };
        for (var i = 0; i < 100; i++)
            Assert.Equal("exit1", selector.ChooseExit(d, cc)!.Nickname);
        var exit1 = ByName(d, "exit1").RsaIdentity;
        Assert.Equal("exit0", selector.ChooseExit(d, cc with { ExcludedExits = new HashSet<Burrow.Tor.Identities.RsaIdentity> { exit1 } })!.Nickname);
    }

    [Fact]
    public void Relays_listed_with_an_empty_pr_line_are_never_chosen_on_the_2019_network()
    {
        var d = TestDirectories.Complete2019;
        var silent = d.Relays.Where(r => r.Protocols.Count == 0).Select(r => r.RsaIdentity).ToHashSet();
        Assert.Equal(20, silent.Count);
        var selector = new PathSelector(PathRules.Default, new Random(11));
        for (var i = 0; i < 300; i++)
        {
            var path = selector.SelectExitPath(d, ExitRequirement.ForPort(443), ok => selector.ChooseGuardCandidate(d, ok));
            Assert.All(path.Hops, h => Assert.DoesNotContain(h.RsaIdentity, silent));
            Assert.All(path.Hops, h => Assert.True(h.Protocols.Supports("Relay", 2)));
        }
    }
}
