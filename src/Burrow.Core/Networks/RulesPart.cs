using Burrow.Core.Configuration;
using Burrow.Core.Redirect;
using Burrow.Core.Upstreams;
using Microsoft.Extensions.Logging;

namespace Burrow.Core.Networks;

/// <summary>
/// The network's own redirect rules (redirect.install) as a part: the last to start, so traffic is
/// captured only once the DNS listener, the forwarder and the listeners are ready, and the first to stop,
/// so nothing is captured into a listener that has closed. The plan takes the ports the listeners were
/// really bound to. The table carries nft's owner flag: a crash removes it with the process.
/// </summary>
internal sealed class RulesPart : INetworkPart
{
    private readonly string _network;
    private readonly RedirectSection _redirect;
    private readonly Func<int> _tcpPort;
    private readonly Func<int?> _tcpPortV6;
    private readonly Func<int?> _dnsPort;
    private readonly ILogger _logger;
    private NftablesSession? _session;

    public RulesPart(string network, RedirectSection redirect, Func<int> tcpPort, Func<int?> tcpPortV6, Func<int?> dnsPort, ILogger logger)
    {
        _network = network;
        _redirect = redirect;
        _tcpPort = tcpPort;
        _tcpPortV6 = tcpPortV6;
        _dnsPort = dnsPort;
        _logger = logger;
    }

    public string Name => "redirect rules";

    /// <summary>The installed session (null before start and after stop).</summary>
    public NftablesSession? Session => Volatile.Read(ref _session);

    /// <summary>The plan in force, or null when none is installed.</summary>
    public RedirectPlan? Plan => Session?.Plan;

    public Task StartAsync(IProgress<UpstreamProgress>? progress, CancellationToken cancellationToken)
    {
        var plan = RedirectSectionReader.PlanFor(_network, _redirect, _tcpPort(), _tcpPortV6(), _dnsPort());
        // Another network of this process already capturing the same traffic would silently win or lose packets.
        var others = BurrowNetworkRegistry.All.Where(n => !string.Equals(n.Name, _network, StringComparison.OrdinalIgnoreCase))
            .Select(n => n.RedirectPlan).OfType<RedirectPlan>();
        var conflicts = plan.ValidateAlongside(others);
        if (conflicts.Count > 0)
            throw new RedirectPlanException(conflicts.Select(e => e with { Field = "redirect." + e.Field }).ToArray());
        Volatile.Write(ref _session, NftablesSession.Install(plan, _logger, cancellationToken));
        return Task.CompletedTask;
    }

    public ValueTask StopAsync()
    {
        Interlocked.Exchange(ref _session, null)?.Dispose();
        return ValueTask.CompletedTask;
    }
}
