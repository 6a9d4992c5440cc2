using Burrow.Tor.Identities;
using System.Net;
using Burrow.Tor.Cells;
using Burrow.Tor.Channels;
using Burrow.Tor.CircMgr;
using Burrow.Tor.Circuits;
using Burrow.Tor.Dir;
using Burrow.Tor.NetDoc;
using Burrow.Tor.Tests.Channels;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Tor.Tests.Circuits;

/// <summary>Directory circuits and pool circuits are built by the one <see cref="CircuitBuilder"/>: its
/// per-hop timeout and its path checks hold for them too.</summary>
public sealed class OneBuilderTests
{
    [Fact]
    public async Task A_directory_circuit_whose_first_hop_never_answers_fails_with_the_hop_timeout_and_is_destroyed()
    {
        var (fake, channel) = await FakeRelay.StartAsync(relays: 1);
        await using var _ = fake;
        // Every channel the manager "opens" is the one to the fake, which never answers CREATE_FAST.
        await using var channels = new ChannelManager(null, null, (_, _) => Task.FromResult(channel));
        var builder = new CircuitBuilder(channels) { HopTimeout = TimeSpan.FromMilliseconds(300) };
        await using var directoryCircuits = new DirectoryCircuits(builder, TimeSpan.FromSeconds(60), NullLogger.Instance);
        var relay = fake.Relays[0];
        var server = new DirectoryServer("fake", new RsaIdentity(relay.RsaIdentity), null, [relay.Target.OrPort]);

        var error = await Assert.ThrowsAsync<CircuitException>(() => directoryCircuits.OpenAsync(server, CancellationToken.None));

        Assert.Equal(CircuitErrorKind.Timeout, error.Kind);
        Assert.Contains("hop 1", error.Message);
        await fake.NextAsync(e => e.Command == ChannelCommand.CreateFast);
        await fake.NextAsync(e => e.Command == ChannelCommand.Destroy);
        Assert.Equal(0, channel.CircuitCount);
    }

    [Fact]
    public async Task The_builder_refuses_a_relay_twice_by_either_identity()
    {
        await using var channels = new ChannelManager(null, null, (_, _) => throw new InvalidOperationException("no channel may be opened for a refused path"));
        var builder = new CircuitBuilder(channels);
        var ed = new Ed25519Identity(Enumerable.Repeat((byte)7, 32).ToArray());
        var a = new RelayTarget(new RsaIdentity(Enumerable.Repeat((byte)1, 20).ToArray()), ed, new byte[32], new IPEndPoint(IPAddress.Loopback, 1));
        var b = new RelayTarget(new RsaIdentity(Enumerable.Repeat((byte)2, 20).ToArray()), ed, new byte[32], new IPEndPoint(IPAddress.Loopback, 2));
        var c = new RelayTarget(new RsaIdentity(Enumerable.Repeat((byte)3, 20).ToArray()), null, new byte[32], new IPEndPoint(IPAddress.Loopback, 3));
        var e = await Assert.ThrowsAsync<ArgumentException>(() => builder.BuildAsync([a, c, b]));
        Assert.Contains("appears twice", e.Message);
        Assert.Empty(channels.OpenChannels);
    }
}
