using System.Management.Automation;
using Burrow.Cmdlets.Completers;
using Burrow.Tor.Client;

namespace Burrow.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Gets the state of a network's in-process Tor client: bootstrap, consensus, relays, guards, circuits, clock skew, warnings.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "BurrowTorClient")]
[OutputType(typeof(TorClientStatus))]
public sealed class GetBurrowTorClientCommand : BurrowCmdlet
{
    /// <summary>Network names (wildcards allowed). Default: every running network with an in-process Tor client.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Network")]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void ProcessCore()
    {
        // Unnamed: only the networks that have a client; a named SOCKS network is an error.
        var quiet = Name is not { Length: > 0 } || Name.All(WildcardPattern.ContainsWildcardCharacters);
        foreach (var network in ResolveNetworks(Name))
            if (TorClientOf(network, quiet) is { } client)
                WriteObject(WithNetwork(client.GetStatus(), network.Name));
    }
}
