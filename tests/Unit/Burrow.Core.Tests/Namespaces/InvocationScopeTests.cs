using System.Net;
using Burrow.Core.Flows;
using Burrow.Core.Recovery;
using Burrow.Core.Tests.Transparent;
using Burrow.Core.Transparent;
using Burrow.Core.Upstreams;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Core.Tests.Namespaces;

/// <summary>What an invocation adds to the shared parts: its own isolation scope, and a forwarder that ends only its own flows.</summary>
public sealed class InvocationScopeTests
{
    private static readonly IPAddress Client = IPAddress.Parse("127.0.0.1");

    [Fact]
    public void A_scoped_policy_never_makes_a_key_of_another_scope_or_of_the_network()
    {
        var network = IsolationPolicy.Default;
        var one = network.WithScope("invocation=1");
        var two = network.WithScope("invocation=2");
        var keys = new[]
        {
            network.StreamKey(Client, "198.51.100.7", 80),
            one.StreamKey(Client, "198.51.100.7", 80),
            two.StreamKey(Client, "198.51.100.7", 80),
        };
        Assert.Equal(3, keys.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("iso|s=invocation=1|c=127.0.0.1|d=198.51.100.7", keys[1]);
        Assert.Equal(one.StreamKey(Client, "198.51.100.7", 443), keys[1]); // the network's fields still apply within the scope
        Assert.NotEqual(one.StreamKey(Client, "198.51.100.8", 80), keys[1]);
        Assert.Equal("iso|s=invocation=1|c=127.0.0.1|d=www.burrow.test", one.DnsKey(Client, "www.burrow.test"));
        Assert.Equal(network.Fields, one.Fields);
        Assert.Null(network.Scope);
        Assert.Equal(network.ToString(), one.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("a|b")]
    public void A_scope_that_could_forge_another_key_is_refused(string scope)
        => Assert.ThrowsAny<ArgumentException>(() => IsolationPolicy.Default.WithScope(scope));

    [Fact]
    public async Task An_invocations_forwarder_ends_only_its_own_flows_when_it_stops()
    {
        var flows = new FlowTable("edge");
        var hosts = flows.Add(IPEndPoint.Parse("10.0.3.5:50000"));
        var mine = flows.Add(IPEndPoint.Parse("127.0.0.1:50001"));
        mine.SetInvocation(7);
        var other = flows.Add(IPEndPoint.Parse("127.0.0.1:50002"));
        other.SetInvocation(8);
        var resolver = new FixedResolver(_ => RecoveryResult.Failed("FAKE", "unused"));
        var forwarder = new ConnectionForwarder("edge", new DirectConnector(), resolver, flows, NullLogger.Instance, TimeProvider.System, invocation: 7);
        await forwarder.StopAsync();
        Assert.Equal([hosts.Id, other.Id], flows.Live.Select(f => f.Id).Order());
        var ended = Assert.Single(flows.Snapshot(), f => f.Id == mine.Id);
        Assert.Equal(FlowEndKind.NetworkStopped, ended.EndKind);
        Assert.Equal(7, ended.Invocation);
    }
}
