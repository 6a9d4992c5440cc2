using System.Net;
using Burrow.Core.Configuration;
using Burrow.Core.Flows;
using Burrow.Core.Networks;
using Burrow.Tests;
using Burrow.Tor.NetDoc;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Core.Tests.Integration;

/// <summary>The transparent path with the built-in Tor client as the upstream (the default). Its own
/// relay connections go to 127.0.0.1, which the redirect rule does not match.</summary>
[Trait("Category", "Integration")]
[Collection(NftCollection.Name)]
public sealed class InProcessPathTests : TransparentPathTests, IDisposable
{
    private readonly string _dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "burrow-inproc-path-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private protected override async Task<BurrowNetwork> StartNetworkAsync(TestNetwork tn)
    {
        var options = new BurrowOptions
        {
            TcpStack = new TcpStackSection { Listen = IPEndPoint.Parse("127.0.0.1:0") },
            Arti = new ArtiSection
            {
                StateDir = System.IO.Path.Combine(_dir, "state"),
                CacheDir = System.IO.Path.Combine(_dir, "cache"),
                Authorities = tn.Authorities.Select(a => new DirAuthority(a.Nickname, a.V3ident)).ToList(),
                FallbackCaches = tn.Authorities.Select(a => new FallbackDir(a.Fingerprint, a.Ed25519Id, [new IPEndPoint(IPAddress.Parse(a.Address), a.OrPort)])).ToList(),
                Ipv4SubnetFamilyPrefix = 33,
            },
        };
        Assert.Equal(UpstreamKind.InProcess, options.Upstream.Kind);
        var network = BurrowNetworkFactory.Create("i" + Guid.NewGuid().ToString("N")[..8], options, NullLoggerFactory.Instance);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await network.StartAsync(null, cts.Token);
        return network;
    }

    private protected override void CheckUpstream(BurrowNetwork network, FlowInfo flow, TestNetwork tn)
    {
        Assert.Equal("in-process Tor client", network.Upstream);
        Assert.Contains(tn.Exits, e => flow.Circuit == $"{e.Nickname} ({e.Fingerprint[..8]}..)");
    }
}
