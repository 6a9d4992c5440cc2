using System.Management.Automation;
using Burrow.Cmdlets.Completers;
using Burrow.Core.Networks;

namespace Burrow.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Gets the running Burrow networks of this process.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "BurrowTorNetwork")]
[OutputType(typeof(BurrowNetwork))]
public sealed class GetBurrowTorNetworkCommand : BurrowCmdlet
{
    /// <summary>Network names (wildcards allowed). Default: all.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Network")]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void ProcessCore()
    {
        foreach (var network in ResolveNetworks(Name))
            WriteObject(network);
    }
}
