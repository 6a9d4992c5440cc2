using System.Management.Automation;
using Burrow.Core.Networks;

namespace Burrow.Cmdlets.Commands;

/// <summary>Shared plumbing: a cancellation source that Ctrl+C (StopProcessing) cancels, and network lookup.</summary>
public abstract class BurrowCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cancel = new();

    protected CancellationToken CancelToken => _cancel.Token;

    protected override void StopProcessing() => _cancel.Cancel();

    /// <summary>Networks matching the (wildcard) names; a plain name that matches nothing is an error record.</summary>
    protected IEnumerable<BurrowNetwork> ResolveNetworks(string[]? names)
    {
        var all = BurrowNetworkRegistry.All;
        if (names == null || names.Length == 0)
        {
            foreach (var n in all) yield return n;
            yield break;
        }
        var seen = new HashSet<BurrowNetwork>();
        foreach (var name in names)
        {
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            var any = false;
            foreach (var n in all.Where(n => pattern.IsMatch(n.Name)))
            {
                any = true;
                if (seen.Add(n)) yield return n;
            }
            if (!any && !WildcardPattern.ContainsWildcardCharacters(name))
                WriteError(NetworkNotFound(name));
        }
    }

    /// <summary>The one network meant when no name is given: the only running network.</summary>
    protected BurrowNetwork ResolveSingleNetwork(string? name)
    {
        if (!string.IsNullOrEmpty(name))
            return BurrowNetworkRegistry.Find(name) ?? throw new TerminatingException(NetworkNotFound(name));
        var all = BurrowNetworkRegistry.All;
        return all.Count switch
        {
            1 => all[0],
            0 => throw new TerminatingException(new ErrorRecord(new InvalidOperationException(
                    "no Burrow network is running; start one with Start-BurrowTorNetwork"), "NetworkNotRunning", ErrorCategory.ObjectNotFound, null)),
            _ => throw new TerminatingException(new ErrorRecord(new InvalidOperationException(
                    "several Burrow networks are running (" + string.Join(", ", all.Select(n => n.Name)) + "); choose one with -Name"),
                    "NetworkAmbiguous", ErrorCategory.InvalidArgument, null)),
        };
    }

    /// <summary>The networks meant by -Name for commands that act on one network at a time by default:
    /// the names (wildcards allowed) when given, else the only running network.</summary>
    protected IReadOnlyList<BurrowNetwork> ResolveNamedOrSingle(string[]? names)
        => names is { Length: > 0 } ? ResolveNetworks(names).ToArray() : [ResolveSingleNetwork(null)];

    /// <summary>The network's in-process Tor client; null (with an error record written) for a SOCKS upstream.</summary>
    protected Burrow.Tor.Client.TorClient? TorClientOf(BurrowNetwork network, bool quiet = false)
    {
        if (network.TorClient is { } client)
            return client;
        if (!quiet)
            WriteError(new ErrorRecord(new InvalidOperationException(
                $"network '{network.Name}' uses the upstream {network.Upstream}, not the in-process Tor client; that Tor's state is not Burrow's to show (ask it through its control port)"),
                "TorClientNotInProcess", ErrorCategory.InvalidOperation, network.Name));
        return null;
    }

    /// <summary>An output object with the network it belongs to as a Network property, so it pipes into -Name.</summary>
    protected static PSObject WithNetwork(object value, string network)
    {
        var o = PSObject.AsPSObject(value);
        o.Properties.Add(new PSNoteProperty("Network", network));
        return o;
    }

    protected static ErrorRecord NetworkNotFound(string name)
        => new(new ItemNotFoundException($"no running Burrow network is named '{name}'; running: " +
               (BurrowNetworkRegistry.All.Count == 0 ? "none" : string.Join(", ", BurrowNetworkRegistry.All.Select(n => n.Name)))),
            "NetworkNotFound", ErrorCategory.ObjectNotFound, name);

    protected override void ProcessRecord()
    {
        try { ProcessCore(); }
        catch (TerminatingException e) { ThrowTerminatingError(e.Record); }
    }

    protected abstract void ProcessCore();

    public void Dispose()
    {
        _cancel.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Carries an error record out of helpers to <see cref="Cmdlet.ThrowTerminatingError"/>.</summary>
    protected sealed class TerminatingException(ErrorRecord record) : Exception(record.Exception.Message)
    {
        public ErrorRecord Record { get; } = record;
    }
}
