using Burrow.Tor.NetDir;
using Burrow.Tor.PathSelection;

namespace Burrow.Tor.Tests.PathSelection;

/// <summary>Relays a client recently failed to reach are left out of the exit and middle positions while
/// others fit, and used again when nothing else does (issue 18).</summary>
public class PathAvoidanceTests
{
    private static NetworkDirectory Dir => TestDirectories.Complete2019;

    [Fact]
    public void Avoided_relays_are_never_chosen_as_exit_or_middle_while_others_fit()
    {
        var s = new PathSelector(PathRules.Default, new Random(18));
        var req = ExitRequirement.ForPort(443);
        // Avoid the ten exits and middles chosen first: heavy relays that would otherwise come up often.
        var avoided = new HashSet<Burrow.Tor.Identities.RsaIdentity>();
        for (var i = 0; avoided.Count < 10 && i < 100; i++)
        {
            var p = s.SelectExitPath(Dir, req, restriction => s.ChooseGuardCandidate(Dir, restriction));
            avoided.Add(p.Hops[1].RsaIdentity);
            avoided.Add(p.Hops[2].RsaIdentity);
        }
        for (var i = 0; i < 300; i++)
        {
            var path = s.SelectExitPath(Dir, req, restriction => s.ChooseGuardCandidate(Dir, restriction), r => avoided.Contains(r.RsaIdentity));
            Assert.DoesNotContain(path.Hops[1].RsaIdentity, avoided);
            Assert.DoesNotContain(path.Hops[2].RsaIdentity, avoided);
        }
    }

    [Fact]
    public void With_every_exit_avoided_the_path_still_comes_out()
    {
        var s = new PathSelector(PathRules.Default, new Random(19));
        var path = s.SelectExitPath(Dir, ExitRequirement.ForPort(443), restriction => s.ChooseGuardCandidate(Dir, restriction), _ => true);
        Assert.Equal(3, path.Hops.Count);
    }
}
