using System.Diagnostics;
using System.Net;
using Burrow.Tor.Channels;
using Burrow.Tor.Circuits;
using Burrow.Tor.Identities;
using Burrow.Tor.NetDoc;
using Burrow.Tor.Streams;
using Xunit.Abstractions;

namespace Burrow.Tor.Tests.Integration;

/// <summary>Channels, circuits and streams against real C tor relays on loopback.</summary>
[Trait("Category", "Integration")]
[Collection(WireNetworkCollection.Name)]
[Trait("Category", "Integration")]
public class WireIntegrationTests(WireNetworkFixture fx, ITestOutputHelper output)
{
    private static CancellationToken Timeout(int seconds = 120) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private string HttpHost => $"{fx.Network.Http.Address}:{fx.Network.Http.Port}";

    private Task<HttpOverTor.Response> GetAsync(Stream stream, string path, bool keepBody = true, CancellationToken ct = default) =>
        HttpOverTor.GetAsync(stream, HttpHost, path, keepBody, ct);

    [Fact]
    public async Task Handshake_succeeds_with_every_relay_and_proves_both_identities()
    {
        Assert.Equal(7, fx.Network.Relays.Count);
        foreach (var relay in fx.Network.Relays)
        {
            var rsa = Convert.FromHexString(relay.Fingerprint);
            var ed = Convert.FromBase64String(relay.Ed25519Id + "=");
            var target = new ChannelTarget(new IPEndPoint(IPAddress.Parse(relay.Address), relay.OrPort), new RsaIdentity(rsa), new Ed25519Identity(ed));
            await using var channel = await Channel.ConnectAsync(target, cancellationToken: Timeout());
            Assert.Equal(5, channel.LinkVersion);
            Assert.Equal(new RsaIdentity(rsa), channel.PeerIdentity.RsaIdentity);
            Assert.Equal(new Ed25519Identity(ed), channel.PeerIdentity.Ed25519Identity);
            Assert.True(channel.PeerIdentity.ValidUntil > DateTimeOffset.UtcNow);
            // The consensus agrees with what the relay proved.
            Assert.Equal(ed, TestNetDirectory.Relay(fx.Directory, relay).Ed25519Identity!.Value.ToArray());
        }
    }

    [Fact]
    public async Task A_relay_that_is_not_the_expected_one_is_refused()
    {
        var relay = fx.Named("relay0");
        var endpoint = new IPEndPoint(IPAddress.Parse(relay.Address), relay.OrPort);
        var other = fx.Named("relay1");
        var error = await Assert.ThrowsAsync<ChannelException>(() =>
            Channel.ConnectAsync(new ChannelTarget(endpoint, RsaIdentity.FromHex(other.Fingerprint)), cancellationToken: Timeout()));
        Assert.Equal(ChannelErrorKind.IdentityMismatch, error.Kind);
        Assert.Contains(other.Fingerprint, error.Message);
        Assert.Contains(relay.Fingerprint, error.Message);

        var wrongEd = await Assert.ThrowsAsync<ChannelException>(() => Channel.ConnectAsync(
            new ChannelTarget(endpoint, RsaIdentity.FromHex(relay.Fingerprint), Ed25519Identity.FromBase64(other.Ed25519Id)), cancellationToken: Timeout()));
        Assert.Equal(ChannelErrorKind.IdentityMismatch, wrongEd.Kind);

        // Through the manager (which shares channels by RSA identity): a refused channel is not kept,
        // the right one works.
        var stranger = new RsaIdentity(Enumerable.Repeat((byte)0x5A, 20).ToArray());
        var viaManager = await Assert.ThrowsAsync<ChannelException>(() => fx.Channels.GetChannelAsync(new ChannelTarget(endpoint, stranger), Timeout()));
        Assert.Equal(ChannelErrorKind.IdentityMismatch, viaManager.Kind);
        Assert.DoesNotContain(fx.Channels.OpenChannels, c => c.Target.RsaIdentity == stranger);
        var good = await fx.Channels.GetChannelAsync(new ChannelTarget(endpoint, RsaIdentity.FromHex(relay.Fingerprint)), Timeout());
        Assert.False(good.IsClosed);
    }

    [Fact]
    public async Task With_a_socket_mark_channels_still_connect_and_carry_circuits()
    {
        // Its own manager: every socket it opens is marked (SO_MARK, set before connect).
        await using var marked = new ChannelManager(ChannelOptions.Default with { SocketMark = 0xb0 });
        var builder = new CircuitBuilder(marked, TestNetDirectory.Parameters(fx.Directory));
        await using var circuit = await builder.BuildAsync(fx.Path("auth1", "relay0", "exit1"), Timeout());
        Assert.Single(marked.OpenChannels);
        await using var stream = await circuit.OpenStreamAsync(fx.Network.HttpEndPoint, Timeout());
        var response = await GetAsync(stream, "/small", ct: Timeout());
        Assert.Equal(fx.Network.Http.SmallSha256, response.Sha256);
    }

    [Theory]
    [InlineData("auth0", "relay0", "exit0")]
    [InlineData("auth1", "relay1", "exit1")]
    [InlineData("relay1", "auth2", "exit0")]
    [InlineData("relay0", "relay1", "exit1")]
    public async Task Three_hop_circuits_through_each_exit_fetch_the_small_file(string guard, string middle, string exit)
    {
        var circuit = await fx.Builder.BuildAsync(fx.Path(guard, middle, exit), Timeout());
        await using var _ = circuit;
        Assert.Equal(3, circuit.HopCount);
        await using var stream = await circuit.OpenStreamAsync(fx.Network.HttpEndPoint, Timeout());
        var response = await GetAsync(stream, "/small", ct: Timeout());
        Assert.Equal(200, response.Status);
        Assert.Equal(fx.Network.Http.SmallSize, response.Length);
        Assert.Equal(fx.Network.Http.SmallSha256, response.Sha256);
    }

    [Fact]
    public async Task The_large_file_arrives_intact_through_three_hops()
    {
        var circuit = await fx.Builder.BuildAsync(fx.Path("auth0", "relay0", "exit1"), Timeout());
        await using var _ = circuit;
        await using var stream = await circuit.OpenStreamAsync(fx.Network.HttpEndPoint, Timeout());
        var clock = Stopwatch.StartNew();
        var response = await GetAsync(stream, "/large", keepBody: false, ct: Timeout(300));
        clock.Stop();
        Assert.Equal(200, response.Status);
        Assert.Equal(fx.Network.Http.LargeSize, response.Length);
        Assert.Equal(fx.Network.Http.LargeSha256, response.Sha256);
        output.WriteLine($"{response.Length / 1e6:0.0} MB in {clock.Elapsed.TotalSeconds:0.00} s = {response.Length / 1e6 / clock.Elapsed.TotalSeconds:0.0} MB/s");
        Assert.False(circuit.IsClosed);
    }

    [Fact]
    public async Task Twenty_streams_in_parallel_on_one_circuit_each_get_the_small_file()
    {
        var circuit = await fx.Builder.BuildAsync(fx.Path("auth1", "relay1", "exit0"), Timeout());
        await using var _ = circuit;
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            await using var stream = await circuit.OpenStreamAsync(fx.Network.HttpEndPoint, Timeout());
            return (stream.StreamId, Response: await GetAsync(stream, "/small", ct: Timeout()));
        }));
        Assert.Equal(20, results.Select(r => r.StreamId).Distinct().Count());
        Assert.All(results, r =>
        {
            Assert.Equal(200, r.Response.Status);
            Assert.Equal(fx.Network.Http.SmallSha256, r.Response.Sha256);
        });
        Assert.False(circuit.IsClosed);
    }

    [Fact]
    public async Task Ten_circuits_in_parallel_each_get_the_small_file()
    {
        string[][] paths =
        [
            ["auth0", "relay0", "exit0"], ["auth1", "relay1", "exit1"], ["auth2", "relay0", "exit1"], ["relay0", "relay1", "exit0"],
            ["relay1", "auth0", "exit1"], ["auth0", "auth1", "exit0"], ["auth2", "relay1", "exit0"], ["relay0", "auth2", "exit1"],
            ["auth1", "relay0", "exit0"], ["relay1", "auth1", "exit1"],
        ];
        var results = await Task.WhenAll(paths.Select(async path =>
        {
            await using var circuit = await fx.Builder.BuildAsync(fx.Path(path), Timeout());
            await using var stream = await circuit.OpenStreamAsync(fx.Network.HttpEndPoint, Timeout());
            return (circuit.CircId, Response: await GetAsync(stream, "/small", ct: Timeout()));
        }));
        Assert.All(results, r => Assert.Equal(fx.Network.Http.SmallSha256, r.Response.Sha256));
        Assert.Equal(10, results.Select(r => r.CircId).Distinct().Count());
    }

    [Fact]
    public async Task A_hostname_stream_is_resolved_by_the_exit()
    {
        var circuit = await fx.Builder.BuildAsync(fx.Path("auth2", "relay0", "exit0"), Timeout());
        await using var _ = circuit;
        await using var stream = await circuit.OpenStreamAsync(fx.Network.Http.HostName, fx.Network.Http.Port, Timeout());
        Assert.Equal(IPAddress.Parse(fx.Network.Http.Address), stream.Connected!.Address);
        var response = await HttpOverTor.GetAsync(stream, fx.Network.Http.HostName, "/small", cancellationToken: Timeout());
        Assert.Equal(fx.Network.Http.SmallSha256, response.Sha256);

        var answers = await circuit.ResolveAsync(fx.Network.Http.HostName, Timeout());
        Assert.Contains(IPAddress.Parse(fx.Network.Http.Address), answers.Select(a => a.Address));
        var unknown = await Assert.ThrowsAsync<TorStreamException>(() => circuit.ResolveAsync("nowhere.burrow.test", Timeout()));
        Assert.Equal(TorStreamErrorKind.ResolveFailed, unknown.Kind);
        Assert.False(circuit.IsClosed);
    }

    [Fact]
    public async Task Begin_to_a_closed_port_or_unknown_name_is_a_typed_error_and_the_circuit_survives()
    {
        var circuit = await fx.Builder.BuildAsync(fx.Path("relay1", "auth0", "exit1"), Timeout());
        await using var _ = circuit;
        // The last port of the network's range: nothing listens there.
        var closed = new IPEndPoint(IPAddress.Parse(fx.Network.Http.Address), fx.Network.BasePort + fx.Network.PortSpan - 1);
        var refused = await Assert.ThrowsAsync<TorStreamException>(() => circuit.OpenStreamAsync(closed, Timeout()));
        output.WriteLine($"closed port: {refused.Kind} ({refused.Message})");
        var noListener = await Assert.ThrowsAsync<TorStreamException>(() => circuit.OpenStreamAsync("other.burrow.test", 80, Timeout()));
        output.WriteLine($"no listener: {noListener.Kind} ({noListener.Message})");
        var unknown = await Assert.ThrowsAsync<TorStreamException>(() => circuit.OpenStreamAsync("nowhere.burrow.test", 80, Timeout()));
        output.WriteLine($"unknown name: {unknown.Kind} ({unknown.Message})");

        // The exit's own reason, as sent in its END. (C tor 0.4.9 exits say REASON_MISC for a refused connect.)
        foreach (var error in new[] { refused, noListener })
        {
            Assert.NotNull(error.EndReason);
            Assert.Contains(error.Kind, new[] { TorStreamErrorKind.ConnectionRefused, TorStreamErrorKind.Misc });
        }
        Assert.Equal(TorStreamErrorKind.ResolveFailed, unknown.Kind);

        await using var stream = await circuit.OpenStreamAsync(fx.Network.HttpEndPoint, Timeout());
        Assert.Equal(fx.Network.Http.SmallSha256, (await GetAsync(stream, "/small", ct: Timeout())).Sha256);
    }

    [Theory]
    [InlineData("auth1")]
    [InlineData("relay0")]
    [InlineData("exit1")]
    public async Task A_begin_dir_stream_on_a_one_hop_circuit_fetches_a_consensus_the_parser_accepts(string relay)
    {
        var circuit = await fx.Builder.BuildAsync(fx.Path(relay), Timeout());
        await using var _ = circuit;
        await using var stream = await circuit.OpenDirStreamAsync(Timeout());
        var response = await HttpOverTor.GetAsync(stream, "", "/tor/status-vote/current/consensus-microdesc", cancellationToken: Timeout());
        Assert.Equal(200, response.Status);
        var consensus = ConsensusParser.Parse(response.Body);
        Assert.Equal(ConsensusFlavor.Microdesc, consensus.Flavor);
        Assert.Equal(7, consensus.Routers.Count);
        var authorities = fx.Network.Authorities.Select(a => new Burrow.Tor.NetDoc.DirAuthority(a.Nickname, a.V3ident)).ToList();
        var certificates = AuthorityCertificate.ParseAll(File.ReadAllBytes(fx.Network.Cache.Certificates));
        Assert.True(ConsensusVerifier.Verify(consensus, certificates, authorities, DateTime.UtcNow).IsAccepted);
    }

    [Fact]
    public async Task Circuits_share_one_channel_per_relay()
    {
        var first = await fx.Builder.BuildAsync(fx.Path("relay0", "relay1", "exit0"), Timeout());
        var second = await fx.Builder.BuildAsync(fx.Path("relay0", "auth1", "exit1"), Timeout());
        await using var _ = first;
        await using var __ = second;
        Assert.Same(first.Channel, second.Channel);
        Assert.NotEqual(first.CircId, second.CircId);
        await first.DisposeAsync();
        await using var stream = await second.OpenStreamAsync(fx.Network.HttpEndPoint, Timeout());
        Assert.Equal(fx.Network.Http.SmallSha256, (await GetAsync(stream, "/small", ct: Timeout())).Sha256);
    }
}
