using Burrow.Tests;
using Burrow.Tor.Circuits;
using Burrow.Tor.Client;
using Burrow.Tor.Identities;
using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.Tests.Integration;

/// <summary>The private network as this client sees it: the C tor client's cached consensus (signatures
/// checked against the network's authorities), certificates and microdescriptors, read with the NetDoc
/// parsers; relays turned into circuit hops.</summary>
internal static class TestNetDirectory
{
    public static NetworkDirectory Load(TestNetwork network)
    {
        // The C tor client rewrites these files as it refreshes; a read can meet a half-written journal.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var consensus = ConsensusParser.Parse(File.ReadAllBytes(network.Cache.Consensus));
                var certificates = AuthorityCertificate.ParseAll(File.ReadAllBytes(network.Cache.Certificates));
                var authorities = network.Authorities.Select(a => new DirAuthority(a.Nickname, a.V3ident)).ToList();
                var verification = ConsensusVerifier.Verify(consensus, certificates, authorities, DateTime.UtcNow);
                var microdescriptors = new List<Microdescriptor>();
                foreach (var path in new[] { network.Cache.Microdescriptors, network.Cache.MicrodescriptorsJournal })
                {
                    if (File.Exists(path))
                        microdescriptors.AddRange(Microdescriptor.ParseAll(File.ReadAllBytes(path)));
                }
                var directory = NetworkDirectory.Create(verification, microdescriptors);
                if (directory.RelaysWithMicrodescriptor < directory.Relays.Count)
                    throw new InvalidDataException($"{directory.Relays.Count - directory.RelaysWithMicrodescriptor} relays lack a microdescriptor");
                return directory;
            }
            catch (Exception e) when (attempt < 20 && e is NetDocException or InvalidDataException or IOException or ArgumentException)
            {
                Thread.Sleep(500);
            }
        }
    }

    public static RelayTarget Target(Relay relay) =>
        new(relay.RsaIdentity, relay.Ed25519Identity, relay.NtorOnionKey, relay.OrPort, relay.Protocols);

    public static Relay Relay(NetworkDirectory directory, TestNetRelay relay) =>
        directory.ByRsaId(RsaIdentity.FromHex(relay.Fingerprint)) ?? throw new InvalidDataException($"{relay.Nickname} is not in the consensus");

    public static RelayTarget Target(NetworkDirectory directory, TestNetRelay relay) => Target(Relay(directory, relay));

    /// <summary>The consensus parameters a circuit obeys, as the client maps them.</summary>
    public static CircuitParameters Parameters(NetworkDirectory directory) =>
        CircuitParameters.FromConsensus(directory.Params);
}
