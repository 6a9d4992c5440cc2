using Burrow.Tor.NetDoc;

namespace Burrow.Fuzz.Targets;

/// <summary>The microdesc-flavour consensus parser (dir-spec 3.4.1) and the authority certificate parser a cache
/// serves beside it. Signatures are not checked here (no keys for mutated documents); the parse must still hold.</summary>
internal sealed class ConsensusTarget : FuzzTarget
{
    public override string Name => "consensus";

    public override string Description => "MicrodescConsensus.Parse and AuthorityCertificate.ParseAll on directory documents";

    public override int MaxInputLength => 256 * 1024;

    public override void Run(ReadOnlySpan<byte> input)
    {
        try
        {
            var consensus = MicrodescConsensus.Parse(input);
            _ = consensus.ToString();
        }
        catch (NetDocException)
        {
        }
        if (input.IndexOf("dir-key-certificate-version"u8) >= 0)
        {
            try
            {
                AuthorityCertificate.ParseAll(input);
            }
            catch (NetDocException)
            {
            }
        }
    }

    public override IEnumerable<byte[]> Seeds(SeedData data)
    {
        yield return data.Tor("private-network/cached-microdesc-consensus");
        yield return data.Tor("private-network/cached-consensus.ns-flavour");
        yield return data.Tor("arti/testdata-live/consensus-microdesc");
        yield return data.Tor("metrics-lib-2017/2017-07-17-17-00-00-consensus-microdesc");
        yield return data.Tor("private-network/cached-certs");
        yield return data.Tor("private-network/authority_certificate.auth0");
    }
}
