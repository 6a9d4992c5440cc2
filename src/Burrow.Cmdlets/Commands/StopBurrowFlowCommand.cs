using System.Management.Automation;
using Burrow.Cmdlets.Completers;
using Burrow.Core.Flows;
using Burrow.Core.Networks;

namespace Burrow.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Closes live flows: the redirected client is reset and the Tor stream ended.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "BurrowFlow", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = IdSet)]
[OutputType(typeof(FlowInfo))]
public sealed class StopBurrowFlowCommand : BurrowCmdlet
{
    private const string IdSet = "Id";
    private const string FlowSet = "Flow";

    /// <summary>The network whose flows to close. Default: the only running network.</summary>
    [Parameter(ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Network")]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string? Name { get; set; }

    /// <summary>The ids of the flows to close (Get-BurrowFlow's Id).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet)]
    public long[] Id { get; set; } = [];

    /// <summary>Flows from Get-BurrowFlow.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = FlowSet)]
    public FlowInfo[] InputObject { get; set; } = [];

    /// <summary>Write each closed flow (as it ended) to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessCore()
    {
        if (ParameterSetName == FlowSet)
        {
            foreach (var flow in InputObject)
            {
                if (BurrowNetworkRegistry.Find(flow.Network) is { } owner)
                    Close(owner, flow.Id);
                else
                    WriteError(NetworkNotFound(flow.Network));
            }
            return;
        }
        var network = ResolveSingleNetwork(Name);
        foreach (var id in Id)
            Close(network, id);
    }

    private void Close(BurrowNetwork network, long id)
    {
        var live = network.Flows.Snapshot().FirstOrDefault(f => f.Id == id);
        if (live is not { End: null })
        {
            var why = live == null ? "no such flow" : $"it has already ended ({live.State}: {live.EndReason})";
            WriteError(new ErrorRecord(new ItemNotFoundException($"no live flow {id} on network '{network.Name}': {why}"),
                "FlowNotLive", ErrorCategory.ObjectNotFound, id));
            return;
        }
        if (!ShouldProcess($"flow {id} on {network.Name} ({live.Source} -> {live.Destination}, {live.State})", "Stop Burrow flow"))
            return;
        if (!network.Flows.Close(id))
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"flow {id} on network '{network.Name}' ended before it could be closed"),
                "FlowNotLive", ErrorCategory.ObjectNotFound, id));
            return;
        }
        if (PassThru)
            WriteObject(WaitForEnd(network, id) ?? live);
    }

    /// <summary>The flow once it has ended (closing cancels its copy; that takes moments), bounded.</summary>
    private FlowInfo? WaitForEnd(BurrowNetwork network, long id)
    {
        for (var i = 0; i < 100 && !CancelToken.IsCancellationRequested; i++)
        {
            if (network.Flows.Snapshot().FirstOrDefault(f => f.Id == id) is { End: not null } ended)
                return ended;
            CancelToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(50));
        }
        return null;
    }
}
