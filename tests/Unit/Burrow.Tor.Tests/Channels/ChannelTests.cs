using Burrow.Tor.Identities;
using System.Net;
using Burrow.Tor.Cells;
using Burrow.Tor.Channels;
using Burrow.Tor.Circuits;
using Burrow.Tor.Streams;
using Burrow.Tor.Tests.Circuits;

namespace Burrow.Tor.Tests.Channels;

/// <summary>The link handshake and the channel's loops against the in-memory fake relay.</summary>
public class ChannelTests
{
    [Fact]
    public async Task Handshake_proves_the_expected_identities()
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 1);
        await using var _ = fake;
        await using var __ = channel;
        Assert.Equal(5, channel.LinkVersion);
        Assert.Equal(new RsaIdentity(fake.Relays[0].RsaIdentity), channel.PeerIdentity.RsaIdentity);
        Assert.Equal(new Ed25519Identity(fake.Relays[0].Ed25519Identity), channel.PeerIdentity.Ed25519Identity);
        Assert.False(channel.IsClosed);
    }

    [Fact]
    public async Task Link_protocol_4_is_accepted_when_it_is_the_highest_common()
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 1, versions: [3, 4]);
        await using var _ = fake;
        await using var __ = channel;
        Assert.Equal(4, channel.LinkVersion);
    }

    [Fact]
    public async Task Wrong_expected_rsa_identity_is_refused()
    {
        var error = await FakeRelay.HandshakeFailsAsync(expect: r =>
            new ChannelTarget(r.Target.OrPort, new RsaIdentity(Enumerable.Repeat((byte)0xAB, 20).ToArray()), new Ed25519Identity(r.Ed25519Identity)));
        Assert.Equal(ChannelErrorKind.IdentityMismatch, error.Kind);
        Assert.Contains("RSA identity", error.Message);
        Assert.Contains("$" + string.Concat(Enumerable.Repeat("AB", 20)), error.Message); // the expected fingerprint is named
    }

    [Fact]
    public async Task Wrong_expected_ed25519_identity_is_refused()
    {
        var error = await FakeRelay.HandshakeFailsAsync(expect: r =>
            new ChannelTarget(r.Target.OrPort, new RsaIdentity(r.RsaIdentity), new Ed25519Identity(new byte[32])));
        Assert.Equal(ChannelErrorKind.IdentityMismatch, error.Kind);
        Assert.Contains("Ed25519", error.Message);
    }

    [Fact]
    public async Task Certificates_for_another_tls_certificate_fail_the_handshake()
    {
        // A valid chain, but its type-5 certificate names a TLS certificate other than the one used.
        var error = await FakeRelay.HandshakeFailsAsync(certs: r =>
        {
            var other = new Crypto.TestCertFactory.Chain(DateTimeOffset.UtcNow);
            return [(2, r.Chain.IdCert), (4, r.Chain.SigningCert), (5, Crypto.TestCertFactory.Ed25519Cert(5, DateTimeOffset.UtcNow.AddDays(1),
                Tor.Crypto.CertifiedKeyType.Sha256OfX509, other.TlsDigest, r.Chain.Signing)), (7, r.Chain.CrossCert)];
        });
        Assert.Equal(ChannelErrorKind.HandshakeFailed, error.Kind);
        Assert.Contains("TLS", error.Message);
    }

    [Fact]
    public async Task Missing_certificates_fail_the_handshake()
    {
        var error = await FakeRelay.HandshakeFailsAsync(certs: r => [(2, r.Chain.IdCert), (4, r.Chain.SigningCert)]);
        Assert.Equal(ChannelErrorKind.HandshakeFailed, error.Kind);
        Assert.Contains("type 5", error.Message);
    }

    [Fact]
    public async Task No_common_link_protocol_fails_the_handshake()
    {
        var error = await FakeRelay.HandshakeFailsAsync(versions: [1, 2, 3]);
        Assert.Equal(ChannelErrorKind.HandshakeFailed, error.Kind);
        Assert.Contains("no common link protocol", error.Message);
    }

    [Fact]
    public async Task A_relay_hanging_up_closes_the_channel_and_fails_its_circuits_with_the_reason()
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 2);
        await using var _ = fake;
        var circuit = await FakeCircuits.BuildAsync(channel, fake, hops: 2);
        fake.Disconnect();
        await channel.Completion.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(ChannelErrorKind.Closed, channel.CloseReason!.Kind);
        await circuit.Completion.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(CircuitErrorKind.ChannelClosed, circuit.CloseReason!.Kind);
        Assert.IsType<ChannelException>(circuit.CloseReason.InnerException);
        Assert.Throws<ChannelException>(() => new Circuit(channel));
    }

    [Fact]
    public async Task Circuit_ids_are_random_with_the_high_bit_set_and_unique()
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 1);
        await using var _ = fake;
        await using var __ = channel;
        var circuits = Enumerable.Range(0, 50).Select(_ => new Circuit(channel)).ToList();
        Assert.All(circuits, c => Assert.True((c.CircId & 0x8000_0000u) != 0));
        Assert.Equal(50, circuits.Select(c => c.CircId).Distinct().Count());
        Assert.Equal(50, channel.CircuitCount);
        foreach (var c in circuits)
            c.Close();
        Assert.Equal(0, channel.CircuitCount);
    }

    [Fact]
    public async Task Writers_wait_when_the_relay_stops_reading_and_the_queue_stays_bounded()
    {
        var options = new ChannelOptions { OutboundQueueCells = 8 };
        var (fake, channel) = await FakeRelay.StartAsync(relays: 1, options: options, pipeThreshold: 8 * 1024);
        await using var _ = fake;
        await using var __ = channel;
        fake.RecordData = false;
        var circuit = await FakeCircuits.BuildAsync(channel, fake, hops: 1);
        var stream = await circuit.OpenDirStreamAsync();
        fake.PauseReading();
        // 300 cells: far more than the queue (8) and the pipe (8 KiB) hold, less than the windows.
        var write = stream.WriteAsync(new byte[300 * 498]).AsTask();
        // The writer parks on the full queue: that state, not elapsed time, is what shows it waits.
        await FakeCircuits.EventuallyAsync(() => channel.QueueSlotWaiters == 1, "the writer waits for room in the queue");
        Assert.False(write.IsCompleted);
        // Cells taken from the circuit window but not yet read by the relay: the queue (8), the writer batch
        // stuck in the full pipe, the batch the fake read before pausing (64 cells each), the waiting writer's.
        Assert.InRange(1000 - circuit.PackageWindow, 8, 8 + 2 * 64 + 16);
        fake.ResumeReading();
        await write.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task One_busy_circuit_cannot_take_the_whole_queue()
    {
        var options = new ChannelOptions { OutboundQueueCells = Circuit.MaxQueuedCells + 50 };
        var (fake, channel) = await FakeRelay.StartAsync(relays: 1, options: options, pipeThreshold: 4 * 1024);
        await using var _ = fake;
        await using var __ = channel;
        fake.RecordData = false;
        var busy = await FakeCircuits.BuildAsync(channel, fake, hops: 1);
        var other = await FakeCircuits.BuildAsync(channel, fake, hops: 1);
        var busyStream = await busy.OpenDirStreamAsync();
        var otherStream = await other.OpenDirStreamAsync();
        fake.PauseReading();
        var blocked = busyStream.WriteAsync(new byte[400 * 498]).AsTask();
        await FakeCircuits.EventuallyAsync(() => busy.CreditWaiters.QueueShare == 1, "the busy circuit's writer waits for its share of the queue");
        Assert.False(blocked.IsCompleted);
        // Its share, plus the writer batch stuck in the full pipe, the one the fake read before pausing,
        // and the waiting writer's cell: far less than the channel's queue and the circuit window.
        Assert.InRange(1000 - busy.PackageWindow, Circuit.MaxQueuedCells, Circuit.MaxQueuedCells + 2 * 64 + 16);
        // The other circuit still finds room in the channel's queue.
        await otherStream.WriteAsync(new byte[20 * 498]).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        fake.ResumeReading();
        await blocked.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void A_target_with_a_bad_identity_length_is_rejected()
    {
        // The identity types carry the length check, so a target cannot hold a short identity.
        Assert.Throws<ArgumentException>(() => new ChannelTarget(new IPEndPoint(IPAddress.Loopback, 1), new RsaIdentity(new byte[19])));
        Assert.Throws<ArgumentException>(() => new ChannelTarget(new IPEndPoint(IPAddress.Loopback, 1), new RsaIdentity(new byte[20]), new Ed25519Identity(new byte[31])));
    }

    [Fact]
    public async Task Connecting_to_a_closed_port_is_ConnectFailed()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var error = await Assert.ThrowsAsync<ChannelException>(() =>
            Channel.ConnectAsync(new ChannelTarget(new IPEndPoint(IPAddress.Loopback, port), new RsaIdentity(new byte[20]))));
        Assert.Equal(ChannelErrorKind.ConnectFailed, error.Kind);
    }

    [Fact]
    public async Task A_peer_that_is_not_tls_fails_the_handshake_in_time()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accept = Task.Run(async () =>
        {
            using var s = await listener.AcceptTcpClientAsync();
            await s.GetStream().WriteAsync("HTTP/1.0 400 Bad Request\r\n\r\n"u8.ToArray());
            await Task.Delay(3000);
        });
        var error = await Assert.ThrowsAsync<ChannelException>(() => Channel.ConnectAsync(
            new ChannelTarget((IPEndPoint)listener.LocalEndpoint, new RsaIdentity(new byte[20])), new ChannelOptions { HandshakeTimeout = TimeSpan.FromSeconds(2) }));
        Assert.Equal(ChannelErrorKind.HandshakeFailed, error.Kind);
        await accept;
    }
}
