using System.Management.Automation;
using Burrow.Cmdlets.Completers;
using Burrow.Cmdlets.Jobs;
using Burrow.Core.Networks;

namespace Burrow.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Stops Burrow networks: stops accepting, ends their flows, closes the upstream.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "BurrowTorNetwork", SupportsShouldProcess = true)]
[OutputType(typeof(BurrowNetwork))]
public sealed class StopBurrowTorNetworkCommand : BurrowCmdlet
{
    /// <summary>Network names (wildcards allowed); also taken from piped jobs, networks, flows and redirect results.
    /// Default: the only running network (as Test-BurrowRedirect).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Network")]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary>Write the stopped network to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessCore()
    {
        var networks = Name is { Length: > 0 } ? ResolveNetworks(Name).ToArray() : [ResolveSingleNetwork(null)];
        foreach (var network in networks)
        {
            if (!ShouldProcess($"{network.Name} (listening on {network.ListenEndPoint}, {network.Flows.LiveCount} live flows)", "Stop Burrow Tor network"))
                continue;
            var job = JobRepository.Jobs.OfType<BurrowNetworkJob>().FirstOrDefault(j => ReferenceEquals(j.Network, network));
            if (job != null)
                job.StopJob();
            else
                network.StopAsync().Wait(CancelToken);
            if (PassThru)
                WriteObject(network);
        }
    }
}
