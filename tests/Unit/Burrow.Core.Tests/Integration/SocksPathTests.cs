using System.Net;
using Burrow.Core.Configuration;
using Burrow.Core.Flows;
using Burrow.Core.Networks;
using Burrow.Core.Recovery.Linux;
using Burrow.Core.Upstreams;
using Burrow.Tests;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Core.Tests.Integration;

/// <summary>The transparent path with the private network's C tor SocksPort as the upstream.</summary>
[Trait("Category", "Integration")]
[Collection(NftCollection.Name)]
public sealed class SocksPathTests : TransparentPathTests
{
    private protected override async Task<BurrowNetwork> StartNetworkAsync(TestNetwork tn)
    {
        var options = new BurrowOptions
        {
            TcpStack = new TcpStackSection { Listen = IPEndPoint.Parse("127.0.0.1:0") },
            Upstream = new UpstreamSection { Kind = UpstreamKind.Socks5, Socks5Address = tn.SocksEndPoint },
        };
        var network = new BurrowNetwork("s" + Guid.NewGuid().ToString("N")[..8], options, new Socks5Connector(tn.SocksEndPoint),
            new SoOriginalDstResolver(), NullLoggerFactory.Instance);
        await network.StartAsync(null, CancellationToken.None);
        return network;
    }

    private protected override void CheckUpstream(BurrowNetwork network, FlowInfo flow, TestNetwork tn)
    {
        Assert.Equal($"socks5 {tn.SocksEndPoint}", network.Upstream);
        Assert.Null(flow.Circuit); // a SocksPort does not say which circuit it used
    }
}
