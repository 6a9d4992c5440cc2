using System.Management.Automation;
using Burrow.Cmdlets.Completers;
using Burrow.Core.Flows;
using Burrow.Tor.Client;

namespace Burrow.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Gets the circuits of a network's in-process Tor client: relays, purpose, age, dirtiness, isolation key, streams and bytes.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "BurrowCircuit", DefaultParameterSetName = NameSet)]
[OutputType(typeof(TorCircuitInfo))]
public sealed class GetBurrowCircuitCommand : BurrowCmdlet
{
    private const string NameSet = "Name";
    private const string FlowSet = "Flow";

    /// <summary>Network names (wildcards allowed). Default: every running network with an in-process Tor client.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
    [Alias("Network")]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary>Only the circuits with these ids.</summary>
    [Parameter(ParameterSetName = NameSet)]
    public long[]? Id { get; set; }

    /// <summary>Flows (from Get-BurrowFlow): the circuit that carries each.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = FlowSet)]
    public FlowInfo[] Flow { get; set; } = [];

    protected override void ProcessCore()
    {
        if (ParameterSetName == FlowSet)
        {
            foreach (var flow in Flow)
                WriteCircuitOf(flow);
            return;
        }
        var quiet = Name is not { Length: > 0 } || Name.All(WildcardPattern.ContainsWildcardCharacters);
        foreach (var network in ResolveNetworks(Name))
        {
            if (TorClientOf(network, quiet) is not { } client)
                continue;
            foreach (var circuit in client.GetCircuits())
                if (Id is not { Length: > 0 } || Array.IndexOf(Id, circuit.Id) >= 0)
                    WriteObject(WithNetwork(circuit, network.Name));
        }
    }

    private void WriteCircuitOf(FlowInfo flow)
    {
        var network = Core.Networks.BurrowNetworkRegistry.Find(flow.Network);
        if (network == null)
        {
            WriteError(NetworkNotFound(flow.Network));
            return;
        }
        if (TorClientOf(network) is not { } client)
            return;
        if (flow.CircuitId is not { } id)
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"flow {flow.Id} on '{flow.Network}' has no circuit ({flow.State}{(flow.EndReason is { } r ? ": " + r : "")})"),
                "FlowHasNoCircuit", ErrorCategory.ObjectNotFound, flow));
            return;
        }
        if (client.GetCircuits().FirstOrDefault(c => c.Id == id) is { } circuit)
            WriteObject(WithNetwork(circuit, network.Name));
        else
            WriteError(new ErrorRecord(new ItemNotFoundException($"circuit {id} of flow {flow.Id} on '{flow.Network}' has closed"),
                "CircuitClosed", ErrorCategory.ObjectNotFound, flow));
    }
}
