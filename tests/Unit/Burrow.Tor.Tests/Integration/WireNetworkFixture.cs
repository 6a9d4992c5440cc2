using Burrow.Tests;
using Burrow.Tor.Channels;
using Burrow.Tor.Circuits;
using Burrow.Tor.NetDir;

namespace Burrow.Tor.Tests.Integration;

/// <summary>The shared private network (tests/TestNet, started on first use), its directory as read from
/// the C tor client's cache, and one channel manager and circuit builder for the whole collection.</summary>
public sealed class WireNetworkFixture : IAsyncLifetime
{
    internal TestNetwork Network { get; private set; } = null!;
    internal NetworkDirectory Directory { get; private set; } = null!;
    internal ChannelManager Channels { get; private set; } = null!;
    internal CircuitBuilder Builder { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Network = PrivateTorNetwork.Get();
        Directory = TestNetDirectory.Load(Network);
        Channels = new ChannelManager();
        Builder = new CircuitBuilder(Channels, TestNetDirectory.Parameters(Directory));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Channels.DisposeAsync();

    internal TestNetRelay Named(string nickname) => Network.Relays.Single(r => r.Nickname == nickname);

    internal RelayTarget Target(string nickname) => TestNetDirectory.Target(Directory, Named(nickname));

    internal RelayTarget[] Path(params string[] nicknames) => nicknames.Select(Target).ToArray();
}

[CollectionDefinition(Name)]
public sealed class WireNetworkCollection : ICollectionFixture<WireNetworkFixture>
{
    /// <summary>Tests on the live network run one after another: transfers on two cores are slow enough.</summary>
    public const string Name = "Wire layers on the private Tor network";
}
