using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Burrow.Core.Networks;

namespace Burrow.Cmdlets.Completers;

/// <summary>Completes -Name from the running networks.</summary>
public sealed class NetworkNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var pattern = new WildcardPattern((wordToComplete ?? "").Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        foreach (var n in BurrowNetworkRegistry.All)
            if (pattern.IsMatch(n.Name))
                yield return new CompletionResult(n.Name.Contains(' ') ? "'" + n.Name + "'" : n.Name, n.Name,
                    CompletionResultType.ParameterValue, $"{n.Name} ({n.State}, {n.ListenEndPoint})");
    }
}
