using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;
using static Burrow.Tor.Tests.NetDoc.NetDocTestData;

namespace Burrow.Tor.Tests.PathSelection;

/// <summary>Verified network views from the shared test data, parsed once per test run.</summary>
internal static class TestDirectories
{
    private static readonly Lazy<NetworkDirectory> Complete2019Lazy = new(() =>
    {
        var c = Consensus("network-2019-12-15-md-complete", "cached-microdesc-consensus");
        var v = ConsensusVerifier.Verify(c, Certs("network-2019-12-15-md-complete", "cached-certs"), Authorities2019To2022, c.ValidAfter);
        var mds = Microdescriptor.ParseAll(Bytes("network-2019-12-15-md-complete", "cached-microdescs"))
            .Concat(Microdescriptor.ParseAll(Bytes("network-2019-12-15-md-complete", "cached-microdescs.new")));
        return NetworkDirectory.Create(v, mds);
    });

    private static readonly Lazy<NetworkDirectory> PrivateLazy = new(() =>
    {
        var c = Consensus("private-network", "cached-microdesc-consensus");
        var v = ConsensusVerifier.Verify(c, Certs("private-network", "cached-certs"), PrivateAuthorities(), c.ValidAfter);
        return NetworkDirectory.Create(v, Microdescriptor.ParseAll(Bytes("private-network", "cached-microdescs")));
    });

    /// <summary>The 2019-12-15 public network, 6345 relays, every microdescriptor attached.</summary>
    public static NetworkDirectory Complete2019 => Complete2019Lazy.Value;

    /// <summary>The loopback test network: 3 authorities, 2 relays, 2 exits, all on 127.0.0.1.</summary>
    public static NetworkDirectory Private => PrivateLazy.Value;

    /// <summary>Rules for a network whose relays share one address: subnet families off.</summary>
    public static Burrow.Tor.PathSelection.PathRules LoopbackRules { get; } = new() { Ipv4SubnetFamilyPrefix = 33, Ipv6SubnetFamilyPrefix = 129 };
}
