using Burrow.Tor.Dir;
using Burrow.Tor.Identities;
using Burrow.Tor.NetDoc;
using static Burrow.Tor.Tests.NetDoc.NetDocTestData;

namespace Burrow.Tor.Tests.Dir;

/// <summary>
/// The directory's decisions with no network, disk or clock: the real documents of the test-data networks
/// go in, "what to fetch next" and "is this good" come out.
/// </summary>
public sealed class DirectoryStateTests
{
    private const string Net2019 = "network-2019-12-15-md-complete";

    private static DirectoryState NewState(IReadOnlyList<DirAuthority> authorities) =>
        new(new DirectoryManagerOptions { Authorities = authorities, BootstrapServers = [] });

    [Fact]
    public void A_cold_state_asks_for_the_consensus_then_the_signers_certificates_then_microdescriptors_in_batches_of_92()
    {
        var state = NewState(Authorities2019To2022);
        var text = Bytes(Net2019, "cached-microdesc-consensus");
        var consensus = DirectoryState.ParseConsensus(text);
        var now = consensus.ValidAfter.AddMinutes(1);
        Assert.True(state.NeedsConsensus(now));
        state.CheckTimeliness(consensus, now);

        var signers = consensus.Signatures.Select(s => s.Identity).Where(state.AuthorityIds.Contains).ToHashSet();
        Assert.True(signers.Count > 4);
        Assert.Equal(signers, state.MissingCertificates(consensus, now));
        Assert.False(state.Verify(consensus, now).IsAccepted);

        var intake = state.AcceptCertificates(Bytes(Net2019, "cached-certs"), state.MissingCertificates(consensus, now), now);
        Assert.Empty(intake.Problems);
        Assert.Empty(state.MissingCertificates(consensus, now));
        var verification = state.Verify(consensus, now);
        Assert.True(verification.IsAccepted);

        var directory = state.Install(verification);
        Assert.Same(directory, state.Current);
        Assert.False(state.NeedsConsensus(now));
        Assert.True(state.NeedsConsensus(consensus.ValidUntil.AddSeconds(1)));
        Assert.Throws<DirectoryException>(() => DirectoryState.CheckEnoughForCircuits(directory));

        var batches = state.MissingMicrodescriptorBatches();
        var listed = consensus.Routers.Where(r => r.MicrodescDigest != null).Select(r => r.MicrodescDigest!.Value).ToHashSet();
        Assert.Equal((listed.Count + 91) / 92, batches.Count);
        Assert.All(batches, b => Assert.InRange(b.Count, 1, DirUrls.MaxMicrodescriptorsPerRequest));
        Assert.Equal(listed, batches.SelectMany(b => b).ToHashSet());
        Assert.Equal(listed.Count, batches.Sum(b => b.Count));

        var wanted = listed;
        var body = Bytes(Net2019, "cached-microdescs").Concat(Bytes(Net2019, "cached-microdescs.new")).ToArray();
        var got = DirectoryState.ParseMicrodescriptors(body, wanted);
        Assert.Equal(0, got.Unreadable);
        var updated = state.AddMicrodescriptors(directory, got.Wanted);
        Assert.Same(updated, state.Current);
        Assert.Empty(state.MissingMicrodescriptorBatches());
        Assert.Equal(updated.Relays.Count, updated.RelaysWithMicrodescriptor);
        DirectoryState.CheckEnoughForCircuits(updated);
        Assert.Equal(got.Wanted.Count, state.MicrodescriptorTexts().Count);
    }

    [Fact]
    public void Microdescriptors_not_asked_for_are_counted_and_discarded()
    {
        var body = Bytes("private-network", "cached-microdescs");
        var all = DirectoryState.ParseMicrodescriptors(body, Microdescriptor.ParseAll(body).Select(m => m.Digest).ToHashSet());
        Assert.Equal(7, all.Wanted.Count);
        var one = all.Wanted[0].Microdescriptor.Digest;
        var some = DirectoryState.ParseMicrodescriptors(body, new HashSet<Digest256> { one });
        Assert.Equal(one, Assert.Single(some.Wanted).Microdescriptor.Digest);
        Assert.Equal(6, some.Unwanted);
    }

    [Fact]
    public void Certificates_not_requested_or_expired_are_refused_and_only_the_newest_few_per_authority_are_kept()
    {
        var state = NewState(PrivateAuthorities());
        var certs = Bytes("private-network", "cached-certs");
        var parsed = AuthorityCertificate.ParseAll(certs);
        var now = parsed.Max(c => c.Published).AddMinutes(1);

        var onlyFirst = new HashSet<RsaIdentity> { parsed[0].Fingerprint };
        var intake = state.AcceptCertificates(certs, onlyFirst, now);
        Assert.Equal(parsed.Count(c => c.Fingerprint == parsed[0].Fingerprint), intake.Accepted);
        Assert.Equal(parsed.Count - intake.Accepted, intake.Problems.Count);
        Assert.All(intake.Problems, p => Assert.Contains("not asked for", p, StringComparison.Ordinal));

        var later = NewState(PrivateAuthorities());
        var expired = later.AcceptCertificates(certs, null, parsed.Max(c => c.Expires).AddDays(1));
        Assert.Equal(0, expired.Accepted);
        Assert.Equal(parsed.Count, expired.Expired.Count);
        Assert.Equal(0, later.CertificateCount);

        var strangers = NewState(Authorities2019To2022).AcceptCertificates(certs, null, now);
        Assert.Equal(0, strangers.Accepted);
        Assert.Equal(parsed.Count, strangers.Problems.Count);
    }

    [Fact]
    public void A_consensus_that_is_stale_from_the_future_or_not_newer_than_the_one_held_is_refused()
    {
        var state = NewState(PrivateAuthorities());
        var consensus = DirectoryState.ParseConsensus(Bytes("private-network", "cached-microdesc-consensus"));
        Assert.Equal(DirectoryErrorKind.Stale,
            Assert.Throws<DirectoryException>(() => state.CheckTimeliness(consensus, consensus.ValidUntil.AddSeconds(1))).Kind);
        var early = Assert.Throws<DirectoryException>(() => state.CheckTimeliness(consensus, consensus.ValidAfter.AddMinutes(-6)));
        Assert.Contains("clock", early.Message, StringComparison.Ordinal);

        var now = consensus.ValidAfter.AddSeconds(3);
        state.CheckTimeliness(consensus, now);
        state.AcceptCertificates(Bytes("private-network", "cached-certs"), null, now);
        state.Install(state.Verify(consensus, now));
        Assert.Contains("not newer", Assert.Throws<DirectoryException>(() => state.CheckTimeliness(consensus, now)).Message, StringComparison.Ordinal);

        Assert.Equal(DirectoryErrorKind.BadDocument,
            Assert.Throws<DirectoryException>(() => DirectoryState.ParseConsensus(Bytes("private-network", "cached-consensus.ns-flavour"))).Kind);
    }

    [Fact]
    public void A_cached_consensus_is_judged_like_a_download_and_drops_cached_microdescriptors_it_does_not_list()
    {
        var text = Bytes("private-network", "cached-microdesc-consensus");
        var consensus = MicrodescConsensus.Parse(text);
        var now = consensus.ValidAfter.AddSeconds(3);
        var certs = Bytes("private-network", "cached-certs");

        var noCerts = NewState(PrivateAuthorities());
        var refused = noCerts.LoadCachedConsensus(text, now);
        Assert.Null(refused.Directory);
        Assert.Contains("fails verification", refused.Reason, StringComparison.Ordinal);
        Assert.Null(noCerts.Current);

        var state = NewState(PrivateAuthorities());
        state.AcceptCertificates(certs, null, now);
        Assert.Contains("corrupt", state.LoadCachedConsensus(Replace(text, "network-status-version", "network-status-versoin"), now).Reason, StringComparison.Ordinal);
        Assert.Equal(consensus.ValidUntil, state.LoadCachedConsensus(text, consensus.ValidUntil.AddSeconds(1)).ExpiredAt);
        Assert.Null(state.Current);

        var mds = Bytes("private-network", "cached-microdescs");
        var foreign = Bytes(Net2019, "cached-microdescs");
        Assert.Equal(0, state.LoadCachedMicrodescriptors(mds.Concat(foreign).ToArray()));
        var foreignCount = Microdescriptor.ParseAll(foreign).Select(m => m.Digest).Distinct().Count();
        var installed = state.LoadCachedConsensus(text, now);
        Assert.NotNull(installed.Directory);
        Assert.Same(installed.Directory, state.Current);
        Assert.Equal(7, installed.KeptMicrodescriptors);
        Assert.Equal(foreignCount, installed.DroppedMicrodescriptors);
        Assert.Empty(state.MissingMicrodescriptorBatches());
    }

    [Fact]
    public void Bootstrap_progress_runs_from_50_to_75_percent_over_the_microdescriptors()
    {
        Assert.Equal(50, DirectoryState.MicrodescriptorProgress(0, 10).Percent);
        Assert.Equal(62, DirectoryState.MicrodescriptorProgress(5, 10).Percent);
        Assert.Equal(75, DirectoryState.MicrodescriptorProgress(10, 10).Percent);
        Assert.Equal(75, DirectoryState.MicrodescriptorProgress(0, 0).Percent);
        Assert.Equal(BootstrapPhase.LoadingMicrodescriptors, DirectoryState.MicrodescriptorProgress(1, 2).Phase);
    }

    [Fact]
    public void Authorities_with_a_malformed_v3ident_are_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => NewState([new DirAuthority("broken", "XYZ")]));
        Assert.Contains("broken", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => NewState([]));
    }
}
