using Burrow.Tor.Identities;
using System.Net;
using Burrow.Tor.Cells;
using Burrow.Tor.Channels;
using Burrow.Tor.Circuits;
using Burrow.Tor.Streams;
using Burrow.Tor.Tests.Channels;

namespace Burrow.Tor.Tests.Circuits;

/// <summary>CREATE2 / EXTEND2 against the fake relay, which checks the ntor onionskins and runs tor1 per hop.</summary>
public class CircuitBuildTests
{
    [Fact]
    public async Task Three_hops_are_built_with_create2_then_extend2_in_relay_early()
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 3);
        await using var _ = fake;
        await using var __ = channel;
        var circuit = await FakeCircuits.BuildAsync(channel, fake, hops: 3);
        Assert.Equal(3, circuit.HopCount);
        Assert.Equal(3, fake.HopsOf(circuit.CircId));

        var create = await fake.NextAsync(e => e.Command == ChannelCommand.Create2);
        Assert.Equal(circuit.CircId, create.CircId);
        Assert.Equal(fake.Relays[0].RsaIdentity, create.Data[..20]);
        Assert.Equal(fake.Relays[0].NtorOnionKey, create.Data[20..52]);

        for (var hop = 0; hop < 2; hop++)
        {
            var extend = await fake.NextRelayAsync(RelayCommand.Extend2);
            Assert.Equal(ChannelCommand.RelayEarly, extend.Command);
            Assert.Equal(hop, extend.Hop);
            Assert.Equal(0, extend.StreamId);
            var message = Extend2Message.Decode(extend.Data);
            var next = fake.Relays[hop + 1];
            Assert.Equal(HandshakeType.Ntor, message.HandshakeType);
            // tor-spec 5.1.2 order: [00] IPv4, [02] legacy id, [03] Ed25519 id.
            Assert.Collection(message.LinkSpecifiers,
                s => Assert.Equal(new IPv4LinkSpecifier(IPAddress.Parse("127.0.0.1"), (ushort)(9000 + hop + 1)), s),
                s => Assert.Equal(next.RsaIdentity, Assert.IsType<LegacyIdLinkSpecifier>(s).Id.ToArray()),
                s => Assert.Equal(next.Ed25519Identity, Assert.IsType<Ed25519IdLinkSpecifier>(s).Id.ToArray()));
            Assert.Equal(next.RsaIdentity, message.HandshakeData[..20].ToArray());
        }
    }

    [Fact]
    public async Task The_first_cells_past_the_first_hop_go_as_relay_early_up_to_eight_in_all()
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 3);
        await using var _ = fake;
        await using var __ = channel;
        var circuit = await FakeCircuits.BuildAsync(channel, fake, hops: 3);
        var streams = new List<Burrow.Tor.Streams.TorStream>();
        for (var i = 0; i < 10; i++)
            streams.Add(await circuit.OpenStreamAsync("10.0.0.1:80"));
        var begins = new List<RelayEvent>();
        for (var i = 0; i < 10; i++)
            begins.Add(await fake.NextRelayAsync(RelayCommand.Begin));
        // Two EXTEND2 used two; six BEGINs may still be RELAY_EARLY; the rest must be RELAY.
        Assert.Equal(6, begins.Count(b => b.Command == ChannelCommand.RelayEarly));
        Assert.All(begins.Skip(6), b => Assert.Equal(ChannelCommand.Relay, b.Command));
    }

    [Fact]
    public async Task A_bad_ntor_reply_fails_the_hop_with_HandshakeFailed()
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 2);
        await using var _ = fake;
        await using var __ = channel;
        fake.CorruptHandshakes = true;
        var circuit = new Circuit(channel);
        var error = await Assert.ThrowsAsync<CircuitException>(() => circuit.CreateFirstHopAsync(fake.Relays[0].Target));
        Assert.Equal(CircuitErrorKind.HandshakeFailed, error.Kind);
        Assert.Contains("AUTH", error.Message);
        Assert.True(circuit.IsClosed);
        Assert.False(channel.IsClosed);
    }

    [Fact]
    public async Task A_bad_extended2_fails_the_circuit_and_destroys_it()
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 2);
        await using var _ = fake;
        await using var __ = channel;
        var circuit = new Circuit(channel);
        await circuit.CreateFirstHopAsync(fake.Relays[0].Target);
        fake.CorruptHandshakes = true;
        var error = await Assert.ThrowsAsync<CircuitException>(() => circuit.ExtendAsync(fake.Relays[1].Target));
        Assert.Equal(CircuitErrorKind.HandshakeFailed, error.Kind);
        var destroy = await fake.NextAsync(e => e.Command == ChannelCommand.Destroy);
        Assert.Equal(circuit.CircId, destroy.CircId);
        Assert.Equal(0, destroy.Data[0]); // an OP always says NONE
    }

    [Fact]
    public async Task Destroy_while_extending_fails_the_build_with_the_relays_reason()
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 2);
        await using var _ = fake;
        await using var __ = channel;
        var circuit = new Circuit(channel);
        await circuit.CreateFirstHopAsync(fake.Relays[0].Target);
        var stranger = new RelayTarget(new RsaIdentity(new byte[20]), null, new byte[32], new IPEndPoint(IPAddress.Loopback, 1));
        var extending = circuit.ExtendAsync(stranger);
        await fake.NextRelayAsync(RelayCommand.Extend2);
        await fake.SendCellAsync(circuit.CircId, ChannelCommand.Destroy, [(byte)DestroyReason.ConnectFailed]);
        var error = await Assert.ThrowsAsync<CircuitException>(() => extending);
        Assert.Equal(CircuitErrorKind.Destroyed, error.Kind);
        Assert.Equal(DestroyReason.ConnectFailed, error.DestroyReason);
        Assert.Contains("CONNECTFAILED", error.Message);
    }

    [Fact]
    public async Task Builder_refuses_paths_no_relay_would_accept()
    {
        await using var channels = new ChannelManager();
        var builder = new CircuitBuilder(channels);
        var relay = new RelayTarget(new RsaIdentity(new byte[20]), null, new byte[32], new IPEndPoint(IPAddress.Loopback, 1));
        await Assert.ThrowsAsync<ArgumentException>(() => builder.BuildAsync([]));
        await Assert.ThrowsAsync<ArgumentException>(() => builder.BuildAsync([relay, relay]));
        await Assert.ThrowsAsync<ArgumentException>(() => builder.BuildAsync(Enumerable.Range(0, 10)
            .Select(i => new RelayTarget(new RsaIdentity(Enumerable.Repeat((byte)i, 20).ToArray()), null, new byte[32], new IPEndPoint(IPAddress.Loopback, 1))).ToList()));
    }

    [Fact]
    public async Task Cancelling_a_hop_closes_the_circuit()
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 2);
        await using var _ = fake;
        await using var __ = channel;
        var circuit = new Circuit(channel);
        await circuit.CreateFirstHopAsync(fake.Relays[0].Target);
        var stranger = new RelayTarget(new RsaIdentity(new byte[20]), null, new byte[32], new IPEndPoint(IPAddress.Loopback, 1));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        // The fake cannot find this relay and never answers.
        fake.CorruptHandshakes = false;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => circuit.ExtendAsync(stranger, cts.Token));
        Assert.True(circuit.IsClosed);
        Assert.Equal(CircuitErrorKind.Closed, circuit.CloseReason!.Kind);
    }
}
