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
/// Redirected = False with the reason; it is not an error. -Check chooses other checks (TcpIPv6, Dns, FailClosed) and
/// -All runs every check that applies to the network, one result object each.</para>
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

    /// <summary>Which check: TcpIPv4 (default), TcpIPv6, Dns (a probe name through the system resolver reaches Burrow's
    /// DNS listener), FailClosed (a UDP datagram to 198.51.100.7:9 is dropped by the table).</summary>
    [Parameter]
    [ValidateSet(RedirectTester.CheckTcpIPv4, RedirectTester.CheckTcpIPv6, RedirectTester.CheckDns, RedirectTester.CheckFailClosed)]
    public string[] Check { get; set; } = [RedirectTester.CheckTcpIPv4];

    /// <summary>Run every check that applies to the network (TCP IPv6 with redirect.ipv6, DNS with a DNS listener,
    /// FailClosed with redirect.fail_closed).</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

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
        var destinationGiven = MyInvocation.BoundParameters.ContainsKey(nameof(Destination));
        var checks = All ? RedirectTester.ApplicableChecks(network) : Check.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        foreach (var check in checks)
        {
            var result = check switch
            {
                RedirectTester.CheckTcpIPv6 => RedirectTester.TestAsync(network,
                    destinationGiven && destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? destination : RedirectTester.DefaultDestinationV6,
                    timeout, CancelToken),
                RedirectTester.CheckDns => RedirectTester.TestDnsAsync(network, timeout, CancelToken),
                RedirectTester.CheckFailClosed => RedirectTester.TestFailClosedAsync(network, CancelToken),
                _ => RedirectTester.TestAsync(network,
                    destinationGiven || destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? destination : RedirectTester.DefaultDestination,
                    timeout, CancelToken),
            };
            WriteObject(result.GetAwaiter().GetResult());
        }
    }
}
