using System.Net;
using Burrow.Core.Upstreams;

namespace Burrow.Core.Configuration;

/// <summary>
/// A validated payload: everything Start-BurrowTorNetwork needs to start one network.
/// Built only by <see cref="PayloadParser"/>; defaults are the design's (ARCHITECTURE.md, "Payload").
/// </summary>
public sealed class BurrowOptions
{
    public const string DefaultListen = "127.0.0.1:9040";

    /// <summary>Addresses of the network's interface (TUN stacks). Default 100.64.0.2/32.</summary>
    public IReadOnlyList<IPNetwork> Address { get; init; } = [IPNetwork.Parse("100.64.0.2/32")];

    /// <summary>Name of the TUN interface (TUN stacks). Default burrow-tor.</summary>
    public string TunName { get; init; } = "burrow-tor";

    /// <summary>MTU of the TUN interface. Default 1400.</summary>
    public int Mtu { get; init; } = 1400;

    public ArtiSection Arti { get; init; } = new();

    public TcpStackSection TcpStack { get; init; } = new();

    public UpstreamSection Upstream { get; init; } = new();

    public RecoverySection Recovery { get; init; } = new();

    public RedirectSection Redirect { get; init; } = new();

    public DnsSection Dns { get; init; } = new();

    /// <summary>The root key <c>isolate</c>: what stream and DNS isolation keys are made of.</summary>
    public IsolationPolicy Isolate { get; init; } = IsolationPolicy.Default;

    /// <summary>The DNS listener runs: redirect.install captures port 53 into it, or dns.enable asks for it alone.</summary>
    public bool DnsListenerEnabled => Redirect.Install || Dns.Enable;

    /// <summary>The options as a TOML payload (every key, defaults included).</summary>
    public override string ToString() => PayloadWriter.ToToml(this);
}
