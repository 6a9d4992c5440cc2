using Burrow.Tests;

namespace Burrow.Core.Tests.TestNet;

/// <summary>`testnet stop` leaves nothing running: a second network, started beside the shared
/// one on its own base port, is stopped and searched for.</summary>
[Trait("Category", "Integration")]
public class TestNetStopTests
{
    [Fact]
    public void StopLeavesNoProcessAndNoListeningPortButKeepsTheKeys()
    {
        var basePort = PrivateTorNetwork.ReserveBasePort();
        var dir = Path.Combine(Path.GetTempPath(), "burrow-testnet-stop-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var net = PrivateTorNetwork.Start(dir, basePort, largeSizeMb: 1);
            Assert.Equal(basePort, net.BasePort);
            Assert.True(PrivateTorNetwork.IsHealthy(dir));

            // Positive control: while running, the processes name the directory and listen.
            // Ten processes plus the watcher that would stop them if this test process died.
            Assert.NotNull(net.WatcherPid);
            var pids = net.Relays.Select(r => r.Pid).Append(net.Client.Pid).Append(net.Http.Pid).Append(net.DnsStub.Pid).Append(net.WatcherPid.Value).ToList();
            Assert.Equal(11, pids.Distinct().Count());
            Assert.Equal(pids.Order(), TestNetProbes.ProcessesNaming(dir).Order());
            Assert.Equal(net.TcpPorts.Order(), net.TcpPorts.Intersect(TestNetProbes.ListeningPorts("-ltn")).Order());
            Assert.Equal(net.UdpPorts.Order(), net.UdpPorts.Intersect(TestNetProbes.ListeningPorts("-lun")).Order());
            Assert.Contains(net.DnsStub.Port, net.UdpPorts);
            Assert.Contains(net.Client.DnsPort, net.UdpPorts);

            PrivateTorNetwork.Stop(dir);

            Assert.Empty(TestNetProbes.ProcessesNaming(dir));
            Assert.Empty(net.TcpPorts.Intersect(TestNetProbes.ListeningPorts("-ltn")));
            Assert.Empty(net.UdpPorts.Intersect(TestNetProbes.ListeningPorts("-lun")));
            Assert.False(PrivateTorNetwork.IsHealthy(dir));
            Assert.False(File.Exists(Path.Combine(dir, "network.json")));
            // What the next start reuses stays.
            Assert.True(File.Exists(Path.Combine(dir, "nodes", "auth0", "keys", "authority_identity_key")));
            Assert.True(File.Exists(Path.Combine(dir, "nodes", "exit0", "keys", "secret_id_key")));
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                PrivateTorNetwork.Stop(dir);
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
