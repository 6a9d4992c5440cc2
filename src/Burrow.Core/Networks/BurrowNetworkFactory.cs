using Burrow.Core.Configuration;
using Burrow.Core.Recovery;
using Burrow.Core.Transparent;
using Burrow.Core.Upstreams;
using Microsoft.Extensions.Logging;

namespace Burrow.Core.Networks;

/// <summary>
/// The composition root of a network: what it is made of, built from validated options. The
/// lifecycle (<see cref="BurrowNetwork"/>) only starts and stops the parts listed here.
/// </summary>
public static class BurrowNetworkFactory
{
    /// <summary>Builds a network for this OS from validated options: the OS's resolver and the configured upstream.</summary>
    public static BurrowNetwork Create(string name, BurrowOptions options, ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger(BurrowNetwork.LoggerCategory(name));
        var resolver = OriginalDestinationResolvers.Create(options, logger);
        return new BurrowNetwork(name, options, CreateConnector(options, loggerFactory), resolver, loggerFactory);
    }

    /// <summary>The upstream the payload's [upstream] section names.</summary>
    internal static ITorConnector CreateConnector(BurrowOptions options, ILoggerFactory loggerFactory) => options.Upstream.Kind switch
    {
        UpstreamKind.Socks5 => new Socks5Connector(options.Upstream.Socks5Address!),
        UpstreamKind.InProcess => new InProcessTorConnector(new Burrow.Tor.Client.TorClientOptions
        {
            StateDir = options.Arti.StateDir,
            CacheDir = options.Arti.CacheDir,
            Authorities = options.Arti.Authorities,
            FallbackCaches = options.Arti.FallbackCaches,
            Ipv4SubnetFamilyPrefix = options.Arti.Ipv4SubnetFamilyPrefix,
            Ipv6SubnetFamilyPrefix = options.Arti.Ipv6SubnetFamilyPrefix,
        }, loggerFactory),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Upstream.Kind, "upstream.kind: not a known kind"),
    };

    /// <summary>
    /// The parts of a network in start order; <see cref="BurrowNetwork"/> stops them in reverse. The
    /// resolver and the upstream are ready before the forwarder and the listener take connections;
    /// stopping closes the listener first, ends the flows, then closes the upstream and the resolver.
    /// A new capability (redirect rules, a DNS listener) is a new <see cref="INetworkPart"/> placed here:
    /// after the listener when it needs the bound port, so it is undone before the listener closes.
    /// </summary>
    internal static IReadOnlyList<INetworkPart> ComposeParts(BurrowOptions options, IOriginalDestinationResolver resolver,
        ITorConnector connector, ConnectionForwarder forwarder, ILogger logger) =>
    [
        new ResolverPart(resolver),
        new UpstreamPart(connector),
        forwarder,
        new TransparentListener(options.TcpStack.Listen, forwarder.Dispatch, logger),
    ];
}
