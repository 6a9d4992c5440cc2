using System.Management.Automation;
using Burrow.Cmdlets.Completers;
using Burrow.Tor.Client;

namespace Burrow.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Gives a network's Tor client a new identity: existing circuits take no new streams, so new flows leave through new circuits.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "BurrowTorIdentity", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(TorCircuitInfo))]
public sealed class NewBurrowTorIdentityCommand : BurrowCmdlet
{
    /// <summary>Network names (wildcards allowed). Default: the only running network.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Network")]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary>Write the circuits retired (as they were just before) to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessCore()
    {
        foreach (var network in ResolveNamedOrSingle(Name))
        {
            if (TorClientOf(network) is not { } client)
                continue;
            var open = client.GetCircuits().Count(c => c.IsUsable);
            if (!ShouldProcess($"{network.Name} ({open} usable circuits)", "New Tor identity"))
                continue;
            IReadOnlyList<TorCircuitInfo> retired;
            try
            {
                retired = client.NewIdentity();
            }
            catch (TorClientException e)
            {
                WriteError(new ErrorRecord(e, "TorClientUnavailable", ErrorCategory.ResourceUnavailable, network.Name));
                continue;
            }
            WriteVerbose($"Network {network.Name}: {retired.Count} circuits take no new streams; new flows get new circuits.");
            if (PassThru)
                foreach (var c in retired)
                    WriteObject(WithNetwork(c with { IsUsable = false }, network.Name));
        }
    }
}
