using System.Net;
using Burrow.Tor.CircMgr;
using Burrow.Tor.Client;
using Burrow.Tor.NetDoc;
using static Burrow.Tor.Tests.NetDoc.NetDocTestData;

namespace Burrow.Tor.Tests.Client;

public class TorClientUnitTests
{
    [Fact]
    public void BuiltInAuthoritiesAreThoseOfThe2026Consensus()
    {
        var consensus = Consensus("network-2026-06-27-md", "cached-microdesc-consensus");
        var sources = consensus.DirSources.Where(d => !d.IsLegacy).Select(d => (d.Nickname, d.Identity.ToHex())).OrderBy(x => x.Item2).ToList();
        Assert.Equal(sources, PublicAuthorities.Authorities.Select(a => (a.Name, a.V3Ident)).OrderBy(x => x.Item2).ToList());
        Assert.Equal(Authorities2026.Select(a => a.V3Ident).Order(), PublicAuthorities.Authorities.Select(a => a.V3Ident).Order());
        // And they verify that consensus.
        Assert.True(ConsensusVerifier.Verify(consensus, Certs("network-2026-06-27-md", "cached-certs"), PublicAuthorities.Authorities, consensus.ValidAfter).IsAccepted);
    }

    [Fact]
    public void BuiltInCachesAreTheAuthorityRelaysOfThe2026Consensus()
    {
        var consensus = Consensus("network-2026-06-27-md", "cached-microdesc-consensus");
        foreach (var (name, cache) in PublicAuthorities.AuthorityCaches)
        {
            var router = consensus.Routers.Single(r => r.Identity.ToHex() == cache.RsaIdentity);
            Assert.Equal(name, router.Nickname);
            Assert.True(router.HasFlag(RelayFlags.Authority));
            Assert.Equal(new IPEndPoint(router.Address, router.OrPort), Assert.Single(cache.OrPorts));
        }
        Assert.Equal(PublicAuthorities.Authorities.Select(a => a.Name).Order(), PublicAuthorities.AuthorityCaches.Select(c => c.Name).Order());
    }

    [Theory]
    [InlineData("network-2026-06-27-md")]
    [InlineData("private-network")]
    public void ThisClientHasEveryRequiredProtocol(string folder)
    {
        var consensus = Consensus(folder, "cached-microdesc-consensus");
        Assert.Equal("", SupportedProtocols.Missing(consensus.RequiredClientProtocols));
    }

    [Fact]
    public void MissingProtocolsAreNamed()
    {
        Assert.Equal("Relay=5 HSDir=2", SupportedProtocols.Missing(ProtocolVersions.Parse("Link=4 Relay=2,4-5 HSDir=2")));
        Assert.Contains("Link=4-5", SupportedProtocols.Text);
        Assert.True(SupportedProtocols.Versions.Supports("Relay", 2));
        Assert.True(SupportedProtocols.Versions.Supports("Relay", 4));
        Assert.True(SupportedProtocols.Versions.Supports("FlowCtrl", 2));
        Assert.False(SupportedProtocols.Versions.Supports("Relay", 3));
    }

    [Fact]
    public void CircuitInfoDescribesTheExit()
    {
        var info = new CircuitInfo([("g", Identities.RsaIdentity.FromHex("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")), ("m", Identities.RsaIdentity.FromHex("BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB")), ("exit1", Identities.RsaIdentity.FromHex("A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"))]);
        Assert.Equal("exit1 (A1B2C3D4..)", info.ExitDescription);
        Assert.Equal("exit1", info.ExitNickname);
        Assert.Equal("g (AAAAAAAA..) -> m (BBBBBBBB..) -> exit1 (A1B2C3D4..)", info.ToString());
    }

    [Fact]
    public async Task OptionsAreChecked()
    {
        Assert.Throws<ArgumentException>(() => new TorClient(new TorClientOptions { StateDir = "", CacheDir = "/tmp/x" }));
        Assert.Throws<ArgumentException>(() => new TorClient(new TorClientOptions
        {
            StateDir = "/tmp/s",
            CacheDir = "/tmp/c",
            FallbackCaches = [new FallbackDir("not hex", null, [new IPEndPoint(IPAddress.Loopback, 1)])],
        }));
        using var dir = new TempDirectory();
        await using var client = new TorClient(new TorClientOptions { StateDir = dir.File("state"), CacheDir = dir.File("cache") });
        Assert.False(client.IsReady);
        Assert.Equal(0, client.Status.Bootstrap.Percent);
        var e = await Assert.ThrowsAsync<TorClientException>(() => client.ResolveAsync("example.org"));
        Assert.Equal(TorClientErrorKind.NotBootstrapped, e.Kind);
    }
}
