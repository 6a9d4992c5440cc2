using System.Management.Automation;
using Burrow.Cmdlets.Completers;
using Burrow.Core.Flows;

namespace Burrow.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Gets the flows (redirected connections) of running Burrow networks: live ones and recently ended ones.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "BurrowFlow")]
[OutputType(typeof(FlowInfo))]
public sealed class GetBurrowFlowCommand : BurrowCmdlet
{
    /// <summary>Network names (wildcards allowed). Default: every running network.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Network")]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary>Only flows in these states (Connecting, Open, Closed, Refused, Failed).</summary>
    [Parameter]
    public FlowState[]? State { get; set; }

    /// <summary>Only flows whose original destination (IP:port) matches this wildcard pattern, e.g. '198.51.100.*' or '*:443'.</summary>
    [Parameter]
    [SupportsWildcards]
    public string? Destination { get; set; }

    /// <summary>Only flows with these ids.</summary>
    [Parameter]
    public long[]? Id { get; set; }

    protected override void ProcessCore()
    {
        var destination = Destination is { Length: > 0 } d ? new WildcardPattern(d, WildcardOptions.IgnoreCase) : null;
        foreach (var network in ResolveNetworks(Name))
            foreach (var flow in network.Flows.Snapshot())
            {
                if (State is { Length: > 0 } && Array.IndexOf(State, flow.State) < 0) continue;
                if (Id is { Length: > 0 } && Array.IndexOf(Id, flow.Id) < 0) continue;
                if (destination != null && (flow.Destination == null || !destination.IsMatch(flow.Destination.ToString()))) continue;
                WriteObject(flow);
            }
    }
}
