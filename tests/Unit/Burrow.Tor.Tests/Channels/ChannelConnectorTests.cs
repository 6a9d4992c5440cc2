using Burrow.Tor.Identities;
using System.Net;
using Burrow.Tor.Channels;

namespace Burrow.Tor.Tests.Channels;

/// <summary>The sockets the connector makes (SO_MARK: Linux, CAP_NET_ADMIN; the tests run as root).</summary>
public sealed class ChannelConnectorTests
{
    private static ChannelTarget Target => new(new IPEndPoint(IPAddress.Loopback, 9), new Identities.RsaIdentity(new byte[20]));

    [Fact]
    public void A_socket_made_with_a_mark_carries_it()
    {
        using var socket = ChannelConnector.CreateSocket(Target, 0x5eed);
        Assert.Equal(0x5eedu, ChannelConnector.GetMark(socket));
    }

    [Fact]
    public void Without_a_mark_the_socket_is_unmarked()
    {
        using var socket = ChannelConnector.CreateSocket(Target, null);
        Assert.Equal(0u, ChannelConnector.GetMark(socket));
        Assert.True(socket.NoDelay);
    }

    [Fact]
    public async Task A_marked_connect_to_a_closed_port_still_fails_as_ConnectFailed()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var error = await Assert.ThrowsAsync<ChannelException>(() => Channel.ConnectAsync(
            new ChannelTarget(new IPEndPoint(IPAddress.Loopback, port), new RsaIdentity(new byte[20])), ChannelOptions.Default with { SocketMark = 7 }));
        Assert.Equal(ChannelErrorKind.ConnectFailed, error.Kind);
        Assert.Contains("Cannot connect", error.Message);
    }
}
