using BenchmarkDotNet.Attributes;
using Burrow.Tor.NetDoc;

namespace Burrow.Bench;

/// <summary>Parsing and verifying real directory documents (issue 4): the 9,609-router 2026 consensus
/// with its 9 signatures, and the 3.8 MB 2019 microdescriptor cache.</summary>
[MemoryDiagnoser]
public class DirectoryDocumentBenchmarks
{
    private byte[] _consensus = [];
    private IReadOnlyList<AuthorityCertificate> _certs = [];
    private DirAuthority[] _authorities = [];
    private byte[] _microdescs = [];
    private DateTime _at;

    [GlobalSetup]
    public void Setup()
    {
        _consensus = File.ReadAllBytes(BenchData.Tor("network-2026-06-27-md", "cached-microdesc-consensus"));
        _certs = AuthorityCertificate.ParseAll(File.ReadAllBytes(BenchData.Tor("network-2026-06-27-md", "cached-certs")));
        var parsed = MicrodescConsensus.Parse(_consensus);
        _at = parsed.ValidAfter;
        _authorities = _certs.Select(c => new DirAuthority("a" + c.Fingerprint.ToHex()[..6], c.Fingerprint.ToHex())).ToArray();
        _microdescs = File.ReadAllBytes(BenchData.Tor("network-2019-12-15-md-complete", "cached-microdescs"));
        var check = ConsensusVerifier.Verify(parsed, _certs, _authorities, _at);
        if (!check.IsAccepted) throw new InvalidOperationException("benchmark data does not verify");
    }

    [Benchmark]
    public int ParseConsensus9609Routers() => MicrodescConsensus.Parse(_consensus).Routers.Count;

    [Benchmark]
    public bool ParseAndVerifyConsensus9609Routers()
        => ConsensusVerifier.Verify(MicrodescConsensus.Parse(_consensus), _certs, _authorities, _at).IsAccepted;

    [Benchmark]
    public int ParseMicrodescriptors3_8MB() => Microdescriptor.ParseAll(_microdescs).Count;
}
