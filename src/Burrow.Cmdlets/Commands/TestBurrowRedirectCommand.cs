using System.Management.Automation;
using System.Net;
using Burrow.Cmdlets.Completers;
using Burrow.Core.Networks;
using Burrow.Core.Transparent;

namespace Burrow.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Proves that outbound TCP from this host is redirected to a Burrow network's listener.</para>
/// <para type="description">Connects a probe from this process to -Destination. The listener recognises the probe, reports the
/// original destination it recovered, and closes it without forwarding anything. Without a redirect the result says
/// Redirected = False with the reason; it is not an error.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "BurrowRedirect")]
[OutputType(typeof(RedirectTestResult))]
public sealed class TestBurrowRedirectCommand : BurrowCmdlet
{
    /// <summary>The network that should see the probe. Default: the only running network.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Network")]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string? Name { get; set; }

    /// <summary>Where the probe connects (IP:port or [IPv6]:port). Default 198.51.100.7:443, a documentation
    /// address (RFC 5737): an unredirected probe reaches nobody.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = RedirectTester.DefaultDestination.ToString();

    /// <summary>How long to wait for the probe to connect and be seen, in seconds.</summary>
    [Parameter]
    [ValidateRange(1, 300)]
    public int TimeoutSec { get; set; } = 5;

    protected override void ProcessCore()
    {
        if (!IPEndPoint.TryParse(Destination, out var destination) || destination.Port == 0)
            throw new TerminatingException(new ErrorRecord(new ArgumentException(
                $"-Destination: '{Destination}' is not a destination; accepted: IP:port or [IPv6]:port with port 1-65535"),
                "DestinationInvalid", ErrorCategory.InvalidArgument, Destination));
        var network = ResolveSingleNetwork(Name);
        var timeout = TimeSpan.FromSeconds(TimeoutSec);
        try
        {
            // A network still bootstrapping is waited for (within the timeout) rather than reported as not redirected.
            if (!network.Ready.Wait(timeout + TimeSpan.FromSeconds(60), CancelToken))
                throw new TerminatingException(new ErrorRecord(new TimeoutException($"network '{network.Name}' is not running yet ({network.State})"),
                    "NetworkNotReady", ErrorCategory.ResourceUnavailable, network.Name));
        }
        catch (AggregateException e)
        {
            throw new TerminatingException(new ErrorRecord(e.InnerException ?? e, "NetworkNotRunning", ErrorCategory.ResourceUnavailable, network.Name));
        }
        var result = RedirectTester.TestAsync(network, destination, timeout, CancelToken).GetAwaiter().GetResult();
        WriteObject(result);
    }
}
