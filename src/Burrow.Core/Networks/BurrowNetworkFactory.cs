using System.Net;
using System.Net.Sockets;
using Burrow.Core.Configuration;
using Burrow.Core.Dns;
using Burrow.Core.Recovery;
using Burrow.Core.Redirect;
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
        ArgumentNullException.ThrowIfNull(options);
        if (options.Redirect.Install && !OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException(
                "redirect.install: Burrow installs its own rules on Linux only (an owned nft table); on this system set install = false and redirect with pf yourself (see docs/macos.md)");
        var logger = loggerFactory.CreateLogger(BurrowNetwork.LoggerCategory(name));
        var resolver = OriginalDestinationResolvers.Create(options, logger);
        return new BurrowNetwork(name, options, CreateConnector(options, loggerFactory), resolver, loggerFactory);
    }

    /// <summary>The upstream the payload's [upstream] section names. With redirect.install on Linux the in-process
    /// client marks its relay sockets (SO_MARK) so the table's first rule lets them out unredirected.</summary>
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
            SocketMark = options.Redirect.Install && OperatingSystem.IsLinux() ? options.Redirect.Mark : null,
            OnionClientAuthDir = options.Arti.OnionClientAuthDir,
            TestingTorNetwork = options.Arti.OnionTestingTimePeriods,
        }, loggerFactory),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Upstream.Kind, "upstream.kind: not a known kind"),
    };

    /// <summary>The virtual address map the DNS listener and the forwarder share, when the DNS listener runs.</summary>
    internal static VirtualAddressMap? CreateAddressMap(BurrowOptions options, TimeProvider time) => options.DnsListenerEnabled
        ? new VirtualAddressMap(new VirtualAddressMapOptions
        {
            Suffixes = options.Dns.AutomapSuffixes,
            NetworkV4 = options.Dns.VirtualNetworkV4,
            NetworkV6 = options.Dns.VirtualNetworkV6,
        }, time)
        : null;

    /// <summary>
    /// The nft script Start would install for these options (-WhatIf), with the configured ports: the
    /// running network's own script (<see cref="BurrowNetwork.RedirectScript"/>) has the bound ones.
    /// Null when redirect.install is false.
    /// </summary>
    public static string? PreviewRedirectScript(string name, BurrowOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Redirect.Install)
            return null;
        var tcp = options.TcpStack.Listen.Port;
        var plan = RedirectSectionReader.PlanFor(name, options.Redirect, tcp, null, options.Dns.Listen.Port);
        return NftRuleset.Render(plan);
    }

    /// <summary>
    /// The parts of a network in start order; <see cref="BurrowNetwork"/> stops them in reverse: the resolver
    /// and the upstream, the DNS listener (when it runs), the forwarder, the listener(s), and the redirect rules
    /// last, so traffic is captured only once everything that takes it is ready, and released first on stop.
    /// </summary>
    internal static IReadOnlyList<INetworkPart> ComposeParts(string name, BurrowOptions options, IOriginalDestinationResolver resolver,
        ITorConnector connector, ConnectionForwarder forwarder, VirtualAddressMap? addressMap, ILogger logger)
    {
        var redirect = options.Redirect;
        var gateway = redirect.Scope == RedirectScope.Gateway;
        var parts = new List<INetworkPart> { new ResolverPart(resolver), new UpstreamPart(connector) };

        DnsPart? dns = null;
        if (addressMap is not null)
        {
            var dnsListen = options.Dns.Listen;
            var endpoints = new List<IPEndPoint> { dnsListen };
            if (redirect.Install && redirect.Ipv6)
            {
                // The redirected IPv6 queries arrive at ::1 (host) or the gateway's address; port 0: the first endpoint's port.
                if (dnsListen.Address.Equals(IPAddress.IPv6Any))
                    endpoints.Add(new IPEndPoint(IPAddress.Any, 0));
                else if (dnsListen.AddressFamily == AddressFamily.InterNetwork)
                    endpoints.Add(new IPEndPoint(gateway ? IPAddress.IPv6Any : IPAddress.IPv6Loopback, 0));
            }
            var resolverForDns = connector as IDnsResolver ?? new UnavailableResolver($"{connector.Description} cannot resolve names");
            dns = new DnsPart(new DnsListenerOptions { Endpoints = endpoints, OnionServicesSupported = connector.SupportsOnionServices }, addressMap, resolverForDns, options.Isolate, logger);
            parts.Add(dns);
        }

        parts.Add(forwarder);
        var listen = options.TcpStack.Listen;
        var v4 = new TransparentListener(listen, forwarder.Dispatch, logger);
        parts.Add(v4);
        TransparentListener? v6 = null;
        if (redirect.Install && redirect.Ipv6 && listen.AddressFamily == AddressFamily.InterNetwork)
        {
            // The IPv6 twin of an IPv4 listener, on the same port: ::1 for this host's redirects, [::] for a gateway's.
            v6 = new TransparentListener(() => new IPEndPoint(gateway ? IPAddress.IPv6Any : IPAddress.IPv6Loopback, v4.EndPoint!.Port),
                forwarder.Dispatch, logger, dualMode: false);
            parts.Add(v6);
        }

        if (redirect.Install)
        {
            parts.Add(new RulesPart(name, redirect,
                () => v4.EndPoint!.Port,
                () => v6?.EndPoint?.Port,
                () => dns?.Port,
                logger));
        }
        return parts;
    }
}
