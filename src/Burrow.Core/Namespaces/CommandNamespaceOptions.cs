using Burrow.Core.Dns;
using Burrow.Core.Flows;
using Burrow.Core.Upstreams;
using Microsoft.Extensions.Logging;

namespace Burrow.Core.Namespaces;

/// <summary>What one Invoke-BurrowCommand namespace is made of: the invocation, and the running network whose Tor it uses.</summary>
internal sealed record CommandNamespaceOptions
{
    /// <summary>The invocation's number: its flows carry it and its isolation scope is made of it.</summary>
    public required long Invocation { get; init; }

    /// <summary>The network whose upstream carries the command's connections (flows show this name).</summary>
    public required string Network { get; init; }

    public required ITorConnector Connector { get; init; }

    /// <summary>The network's flow table: the command's flows are listed there, tagged with <see cref="Invocation"/>.</summary>
    public required FlowTable Flows { get; init; }

    /// <summary>The network's isolation fields; the invocation adds its own scope.</summary>
    public IsolationPolicy Isolation { get; init; } = IsolationPolicy.Default;

    /// <summary>Which names get virtual addresses (the network's [dns] choices); the map itself is the invocation's own.</summary>
    public VirtualAddressMapOptions AddressMap { get; init; } = new();

    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public int MaxFlows { get; init; } = 10_000;

    public required ILogger Logger { get; init; }
}
