using System.Diagnostics;
using System.Net;
using System.Text;
using Burrow.Tor.NetDoc;
using Xunit.Abstractions;
using static Burrow.Tor.Tests.NetDoc.NetDocTestData;

namespace Burrow.Tor.Tests.NetDoc;

public class ConsensusParseTests(ITestOutputHelper output)
{
    [Fact]
    public void Full2026MicrodescConsensus()
    {
        var bytes = Bytes("network-2026-06-27-md", "cached-microdesc-consensus");
        var sw = Stopwatch.StartNew();
        var c = MicrodescConsensus.Parse(bytes);
        output.WriteLine($"parsed {bytes.Length} bytes, {c.Routers.Count} routers in {sw.Elapsed.TotalMilliseconds:F1} ms (first run, includes JIT)");

        Assert.Equal(ConsensusFlavor.Microdesc, c.Flavor);
        Assert.Equal(35, c.ConsensusMethod);
        Assert.Equal(Utc("2026-06-27 04:00:00"), c.ValidAfter);
        Assert.Equal(Utc("2026-06-27 05:00:00"), c.FreshUntil);
        Assert.Equal(Utc("2026-06-27 07:00:00"), c.ValidUntil);
        Assert.Equal((300, 300), (c.VoteSeconds, c.DistSeconds));
        Assert.Equal(9609, c.Routers.Count);
        Assert.Equal("0.4.9.11", c.ClientVersions![^1]);
        Assert.Equal(8, c.ClientVersions.Count);
        Assert.Equal(["Authority", "BadExit", "Exit", "Fast", "Guard", "HSDir", "MiddleOnly", "NoEdConsensus", "Running", "Stable", "StaleDesc", "Sybil", "V2Dir", "Valid"], c.KnownFlags);
        Assert.True(c.RequiredClientProtocols.Supports("Link", 4));
        Assert.False(c.RequiredClientProtocols.Supports("Link", 5));
        Assert.Equal("Cons=2 Desc=2 FlowCtrl=1 Link=4 Microdesc=2 Relay=2", c.RequiredClientProtocols.ToString());
        Assert.True(c.RecommendedRelayProtocols.Supports("LinkAuth", 3));
        Assert.Equal(1, c.Params.Get("sendme_accept_min_version", 0, 0, 255));
        Assert.True(c.Params.TryGet("cc_alg", out var alg) && alg == 2);
        Assert.Equal(1750, c.Params.Get("circ_max_cell_queue_size", 50000, 1000, int.MaxValue));
        Assert.Equal(45, c.Params.Count);

        Assert.Equal(9, c.DirSources.Count);
        var moria = c.DirSources[^1];
        Assert.Equal(("moria1", "F533C81CEF0BC0267857C99B2F471ADF249FA232", "128.31.0.39", (ushort)9231, (ushort)9201),
            (moria.Nickname, moria.Identity.ToHex(), moria.IPAddress.ToString(), moria.DirPort, moria.OrPort));
        Assert.Equal("1024D/EB5A896A28988BF5 arma mit edu", moria.Contact);
        Assert.Equal("4E4A658874F741B466830FB40C8904187398477B", Convert.ToHexString(moria.VoteDigest!));

        var first = c.Routers[0];
        Assert.Equal("lisdex", first.Nickname);
        Assert.Equal(Convert.ToHexString(Convert.FromBase64String("AAAErLudKby6FyVrs1ko3b/Iq6k=")), first.Identity.ToHex());
        Assert.Equal(Utc("2038-01-01 00:00:00"), first.Published);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("152.53.144.50"), 8443), new IPEndPoint(first.Address, first.OrPort));
        Assert.Equal(0, first.DirPort);
        Assert.Equal([new IPEndPoint(IPAddress.Parse("2a0a:4cc0:c1:2aac::1"), 8443)], first.AdditionalOrPorts);
        Assert.Equal("MZjFbMLLC+a+LTqejOFlnJWdO6bIPXr0vWWPZQQVihY", first.MicrodescDigest!.Value.ToBase64Unpadded());
        Assert.Equal(RelayFlags.Fast | RelayFlags.Guard | RelayFlags.Running | RelayFlags.Stable | RelayFlags.V2Dir | RelayFlags.Valid, first.Flags);
        Assert.Equal("Tor 0.4.9.9", first.Version);
        Assert.True(first.Protocols.Supports("Relay", 6));
        Assert.True(first.Protocols.Supports("Conflux", 1));
        Assert.False(first.Protocols.Supports("Relay", 7));
        Assert.Equal(59000u, first.Bandwidth);
        Assert.False(first.IsUnmeasured);
        Assert.Null(first.DescriptorDigest);
        Assert.Null(first.ExitPolicy);

        Assert.Equal(4854, c.Routers.Count(r => r.AdditionalOrPorts.Count > 0));
        Assert.Equal(2614, c.Routers.Count(r => r.HasFlag(RelayFlags.Exit))); // grep -w Exit on "s" lines
        Assert.Equal(76, c.Routers.Count(r => r.HasFlag(RelayFlags.BadExit)));
        Assert.Equal(33, c.Routers.Count(r => r.IsUnmeasured));
        // Identical "pr" lines share one parsed value.
        Assert.Same(c.Routers[0].Protocols, c.Routers[1].Protocols);

        Assert.Equal(5671, c.BandwidthWeights.Wgg);
        Assert.Equal(0, c.BandwidthWeights.Wme);
        Assert.Equal(228, c.BandwidthWeights.Wgd);
        Assert.Null(c.BandwidthWeights["Wxx"]);

        Assert.Equal(9, c.Signatures.Count);
        Assert.All(c.Signatures, s => Assert.Equal("sha256", s.Algorithm));
        Assert.All(c.Signatures, s => Assert.Equal(32, s.SignedDigest!.Length));
        Assert.Equal("F533C81CEF0BC0267857C99B2F471ADF249FA232", c.Signatures[^1].Identity.ToHex());
        Assert.Equal("AB3348A2C13D478A0C4F404531CDF51C27381EBB", c.Signatures[^1].SigningKeyDigest.ToHex());
        Assert.Equal(256, c.Signatures[^1].Signature.Length);
    }

    [Fact]
    public void ParseTimeForTheFullConsensus()
    {
        var bytes = Bytes("network-2026-06-27-md", "cached-microdesc-consensus");
        MicrodescConsensus.Parse(bytes);
        var sw = Stopwatch.StartNew();
        const int runs = 5;
        for (var i = 0; i < runs; i++)
            MicrodescConsensus.Parse(bytes);
        output.WriteLine($"9,609-router consensus: {sw.Elapsed.TotalMilliseconds / runs:F1} ms per parse (informal, not asserted)");
    }

    [Fact]
    public void PrivateNetworkConsensusFacts()
    {
        var c = Consensus("private-network", "cached-microdesc-consensus");
        Assert.Equal(Utc("2026-11-24 19:27:22"), c.ValidAfter);
        Assert.Equal(c.ValidAfter.AddSeconds(10), c.FreshUntil);
        Assert.Equal(c.ValidAfter.AddSeconds(30), c.ValidUntil);
        Assert.Equal((2, 2), (c.VoteSeconds, c.DistSeconds));
        Assert.Empty(c.ClientVersions!);
        Assert.Equal(0, c.Params.Get("AuthDirMaxServersPerAddr", 8, 0, 100));
        Assert.Equal(7, c.Routers.Count);
        Assert.Equal(3, c.Routers.Count(r => r.Flags == (RelayFlags.Authority | RelayFlags.Fast | RelayFlags.Guard | RelayFlags.HSDir | RelayFlags.Running | RelayFlags.Stable | RelayFlags.V2Dir | RelayFlags.Valid)));
        Assert.Equal(2, c.Routers.Count(r => r.Flags == (RelayFlags.Exit | RelayFlags.Fast | RelayFlags.HSDir | RelayFlags.Running | RelayFlags.Stable | RelayFlags.V2Dir | RelayFlags.Valid)));
        Assert.All(c.Routers, r =>
        {
            Assert.Equal(Utc("2038-01-01 00:00:00"), r.Published);
            Assert.Equal(IPAddress.Loopback, r.Address);
            Assert.True(r.IsUnmeasured);
            Assert.InRange(r.Bandwidth!.Value, 66u, 121u);
        });
        Assert.Equal(0, c.BandwidthWeights.Wbd);
        Assert.Equal(5010, c.BandwidthWeights.Wgg);
        Assert.Equal(3, c.Signatures.Count);
        Assert.Equal(["auth1", "auth0", "auth2"], c.DirSources.Select(d => d.Nickname));
    }

    [Fact]
    public void NsFlavourOfTheSameHourListsTheSameRouters()
    {
        var ns = Consensus("network-2022-11-19-ns-md", "cached-consensus");
        var md = Consensus("network-2022-11-19-ns-md", "cached-microdesc-consensus");
        Assert.Equal(ConsensusFlavor.Ns, ns.Flavor);
        Assert.Equal(ConsensusFlavor.Microdesc, md.Flavor);
        Assert.Equal(6088, ns.Routers.Count);
        Assert.Equal(6088, md.Routers.Count);
        Assert.Equal(ns.ValidAfter, md.ValidAfter);
        Assert.Equal(Utc("2022-11-19 10:00:00"), ns.ValidAfter);
        Assert.Equal(32, ns.ConsensusMethod);
        Assert.Equal(ns.Routers.Select(r => r.Identity), md.Routers.Select(r => r.Identity));
        Assert.Equal(ns.Routers.Select(r => r.Flags), md.Routers.Select(r => r.Flags));
        Assert.Equal(ns.Routers.Select(r => r.Bandwidth), md.Routers.Select(r => r.Bandwidth));
        Assert.All(ns.Routers, r => Assert.Equal(20, r.DescriptorDigest!.Length));
        Assert.All(ns.Routers, r => Assert.NotNull(r.ExitPolicy));
        Assert.All(ns.Signatures, s => Assert.Equal("sha1", s.Algorithm));
        Assert.All(ns.Signatures, s => Assert.Equal(20, s.SignedDigest!.Length));
        var seele = ns.Routers[0];
        Assert.Equal("seele", seele.Nickname);
        Assert.False(seele.ExitPolicy!.AllowsPort(80));
        var exits = ns.Routers.Where(r => r.HasFlag(RelayFlags.Exit)).ToList();
        Assert.True(exits.Count(r => r.ExitPolicy!.AllowsPort(443)) > exits.Count / 2);
    }

    [Theory]
    [InlineData("collector-2016", "2016-10-02-17-00-00-consensus-microdesc", 7284, 8, ConsensusFlavor.Microdesc)]
    [InlineData("collector-2016", "2016-09-20-13-00-00-consensus", 7213, 7, ConsensusFlavor.Ns)]
    [InlineData("metrics-lib-2017", "2017-07-17-17-00-00-consensus-microdesc", 3, -1, ConsensusFlavor.Microdesc)]
    [InlineData("metrics-lib-2017", "2017-07-17-17-00-00-consensus", 5, -1, ConsensusFlavor.Ns)]
    [InlineData("arti", "testdata-live", "consensus-microdesc", 5, 9, ConsensusFlavor.Microdesc)]
    [InlineData("private-network", "cached-consensus.ns-flavour", 7, 3, ConsensusFlavor.Ns)]
    public void ArchivedConsensusesParse(params object[] args)
    {
        var parts = args.TakeWhile(a => a is string).Cast<string>().ToArray();
        var rest = args.Skip(parts.Length).ToArray();
        var c = Consensus(parts);
        Assert.Equal((int)rest[0], c.Routers.Count);
        if ((int)rest[1] >= 0)
            Assert.Equal((int)rest[1], c.Signatures.Count);
        Assert.Equal((ConsensusFlavor)rest[2], c.Flavor);
        Assert.True(c.ValidAfter < c.FreshUntil);
    }

    [Fact]
    public void CollectorAnnotationIsNotPartOfTheSignedText()
    {
        var bytes = Bytes("collector-2016", "2016-10-02-17-00-00-consensus-microdesc");
        Assert.StartsWith("@type ", Encoding.ASCII.GetString(bytes, 0, 10));
        var withAnnotation = MicrodescConsensus.Parse(bytes);
        var nl = Array.IndexOf(bytes, (byte)'\n');
        var without = MicrodescConsensus.Parse(bytes.AsSpan(nl + 1));
        Assert.Equal(without.Signatures[0].SignedDigest, withAnnotation.Signatures[0].SignedDigest);
    }

    [Fact]
    public void SignedDigestCoversTheTextThroughTheFirstSignatureKeywordAndSpace()
    {
        var bytes = Bytes("private-network", "cached-microdesc-consensus");
        var text = Encoding.Latin1.GetString(bytes);
        var end = text.IndexOf("directory-signature ", StringComparison.Ordinal) + "directory-signature ".Length;
        var expected = System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(0, end));
        Assert.All(MicrodescConsensus.Parse(bytes).Signatures, s => Assert.Equal(expected, s.SignedDigest));
    }

    [Fact]
    public void CrlfCopyParsesLikeTheLfOriginal()
    {
        var lf = Bytes("private-network", "cached-microdesc-consensus");
        var crlf = Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(lf).Replace("\n", "\r\n"));
        Assert.Equal(MicrodescConsensus.Parse(lf).Signatures[0].SignedDigest, MicrodescConsensus.Parse(crlf).Signatures[0].SignedDigest);
    }

    public static TheoryData<string, string, string> BrokenConsensuses => new()
    {
        { "network-status-version 3 microdesc\n", "network-status-version 4 microdesc\n", "unsupported network-status-version" },
        { "network-status-version 3 microdesc\n", "network-status-version 3 bridge\n", "unsupported consensus flavour" },
        { "network-status-version 3 microdesc\n", "vote-status consensus\n", "must start with 'network-status-version'" },
        { "vote-status consensus\n", "vote-status vote\n", "only 'consensus'" },
        { "vote-status consensus\n", "", "lacks 'vote-status'" },
        { "valid-after 2026-11-24 19:27:22\n", "valid-after 2026-11-24 19:27:22\nvalid-after 2026-11-24 19:27:22\n", "more than once" },
        { "valid-until 2026-11-24 19:27:52\n", "valid-until 2026-11-24 19:27:25\n", "valid-after < fresh-until < valid-until" },
        { "fresh-until 2026-11-24 19:27:32\n", "fresh-until 2026-11-24 25:27:32\n", "invalid date or time" },
        { "known-flags ", "xknown-flags ", "lacks 'known-flags'" },
        { "params AuthDirMaxServersPerAddr=0 ", "params AuthDirMaxServersPerAddr=2147483648 ", "32-bit signed integer" },
        { "params AuthDirMaxServersPerAddr=0 ", "params AuthDirMaxServersPerAddr=0 AuthDirMaxServersPerAddr=1 ", "twice" },
        { "params AuthDirMaxServersPerAddr=0 ", "params AuthDirMaxServersPerAddr ", "must be 'name=integer'" },
        { "m Z04PtgtzHCA6MXcP2uDDNG6hDaTRigAMWyn1vvRpyIg\n", "", "has no 'm' line" },
        { "m Z04PtgtzHCA6MXcP2uDDNG6hDaTRigAMWyn1vvRpyIg\n", "m Z04PtgtzHCA6MXcP2uDDNG6hDaTRigAMWyn1vvRpyI\n", "'m' microdescriptor digest" },
        { "s Exit Fast HSDir Running Stable V2Dir Valid\n", "s Exit\ns Fast\n", "appears twice" },
        { "r exit0 ZxOLafjXl5Pr+MwrTcOvoUXBpTQ 2038-01-01 00:00:00 127.0.0.1 18010 0", "r exit0 ZxOLafjXl5Pr+MwrTcOvoUXBpTQ 2038-01-01 00:00:00 127.0.0.1 180100 0", "'r' ORPort" },
        { "r exit0 ZxOLafjXl5Pr+MwrTcOvoUXBpTQ 2038-01-01 00:00:00 127.0.0.1 18010 0", "r exit0 ZxOLafjXl5Pr+MwrTcOvoUXBpTQ 2038-01-01 00:00:00 127.0.0.256 18010 0", "'r' IP" },
        { "r exit0 ZxOLafjXl5Pr+MwrTcOvoUXBpTQ 2038-01-01 00:00:00 127.0.0.1 18010 0", "r exit_0 ZxOLafjXl5Pr+MwrTcOvoUXBpTQ 2038-01-01 00:00:00 127.0.0.1 18010 0", "nickname" },
        { "r exit0 ZxOLafjXl5Pr+MwrTcOvoUXBpTQ 2038-01-01 00:00:00 127.0.0.1 18010 0", "r exit0 ZxOLafjXl5Pr+MwrTcOvoUXBpTQ 2038-01-01 00:00:00 127.0.0.1 18010", "missing its DirPort" },
        { "r exit0 ZxOLafjXl5Pr+MwrTcOvoUXBpTQ", "r exit0 aLqGBjSWtQxv0tmegldGvoljirY", "sorted by identity" },
        { "pr Conflux=1 Cons=1-2 Desc=1-4", "pr Conflux=1 Cons=2-1 Desc=1-4", "reversed" },
        { "pr Conflux=1 Cons=1-2 Desc=1-4", "pr Conflux=1 Cons=1-64 Desc=1-4", "0 to 63" },
        { "w Bandwidth=66 Unmeasured=1", "w Bandwidth=-66 Unmeasured=1", "'w' Bandwidth" },
        { "directory-footer\n", "directory-footer\nr x AAoQ1DAR6kkoo19hBAX5K0QztNw 2038-01-01 00:00:00 127.0.0.1 1 0\n", "after 'directory-footer'" },
        { "bandwidth-weights ", "bandwidth-weights Wbd=0\nbandwidth-weights ", "more than once" },
        { "directory-footer\n", "directory-footer\npackage tor 1 https://x sha256=y\n", "belongs in the preamble" },
        { "directory-signature sha256 5A6FFA6E431CE49FEF9DFC5AC3E25DB15E6AEC67 511363C074D021808AC90F3B4CC201B36F9ED175", "directory-signature sha256 5A6FFA6E431CE49FEF9DFC5AC3E25DB15E6AEC6 511363C074D021808AC90F3B4CC201B36F9ED175", "identity must be 40" },
        { "-----END SIGNATURE-----\ndirectory-signature sha256 61F0", "-----END SIGNATURE-----\nparams x=1\ndirectory-signature sha256 61F0", "only 'directory-signature' items may follow" },
        { "vote-digest 10D2BFF84804F9374157ADC7E133999D286C1730\n", "", "lacks 'vote-digest'" },
        { "contact testnet@localhost\nvote-digest 10D2", "contact testnet@localhost\ncontact x\nvote-digest 10D2", "'contact' appears twice" },
    };

    [Theory]
    [MemberData(nameof(BrokenConsensuses))]
    public void BrokenConsensusesAreRejectedWithAReason(string find, string replace, string message)
    {
        var doc = Replace(Bytes("private-network", "cached-microdesc-consensus"), find, replace);
        var e = Assert.Throws<NetDocException>(() => MicrodescConsensus.Parse(doc));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void ConsensusWithoutSignaturesIsRejected()
    {
        var text = Text("private-network", "cached-microdesc-consensus");
        var cut = text[..text.IndexOf("directory-signature", StringComparison.Ordinal)];
        Assert.Contains("no 'directory-signature'", Assert.Throws<NetDocException>(() => MicrodescConsensus.Parse(cut)).Message);
        Assert.Contains("empty document", Assert.Throws<NetDocException>(() => MicrodescConsensus.Parse("")).Message);
    }

    [Fact]
    public void UnknownItemsAndUnknownFlagsAreIgnored()
    {
        var doc = Replace(Bytes("private-network", "cached-microdesc-consensus"), "s Exit Fast", "x-future 1 2\nzz\ns Exit Fast NewFlag");
        doc = Replace(doc, "known-flags ", "x-something else\nknown-flags ");
        var c = MicrodescConsensus.Parse(doc);
        Assert.Equal(7, c.Routers.Count);
        Assert.True(c.Routers[0].HasFlag(RelayFlags.Exit));
    }

    [Fact]
    public void SignatureWithoutAlgorithmIsSha1AndUnknownAlgorithmHasNoDigest()
    {
        var ns = Consensus("private-network", "cached-consensus.ns-flavour");
        Assert.All(ns.Signatures, s => Assert.Equal("sha1", s.Algorithm));
        var doc = Replace(Bytes("private-network", "cached-microdesc-consensus"), "directory-signature sha256 61F0", "directory-signature sha3-512 61F0");
        var c = MicrodescConsensus.Parse(doc);
        var odd = c.Signatures.Single(s => s.Algorithm == "sha3-512");
        Assert.Null(odd.SignedDigest);
    }
}
