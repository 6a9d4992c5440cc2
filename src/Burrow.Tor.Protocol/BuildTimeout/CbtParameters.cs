// Circuit build timeout parameters (path-spec 2.4.6): the consensus "cbt*" values with the spec's defaults and bounds.
using Burrow.Tor.NetDir;

namespace Burrow.Tor.BuildTimeout;

internal sealed record CbtParameters
{
    public static CbtParameters Default { get; } = new();

    /// <summary>cbtdisabled: no learning; history discarded.</summary>
    public bool Disabled { get; init; }

    /// <summary>cbtnummodes: histogram modes averaged into Xm.</summary>
    public int NumModes { get; init; } = 10;

    /// <summary>cbtrecentcount: recent outcomes kept to spot a changed network.</summary>
    public int RecentCount { get; init; } = 20;

    /// <summary>cbtmaxtimeouts: that many timeouts among the recent outcomes discard the history.</summary>
    public int MaxTimeouts { get; init; } = 18;

    /// <summary>cbtmincircs: build times needed before a timeout is computed.</summary>
    public int MinCircuits { get; init; } = 100;

    /// <summary>cbtquantile (percent): the usage timeout's point on the Pareto curve.</summary>
    public int Quantile { get; init; } = 80;

    /// <summary>cbtclosequantile (percent): the close timeout's point.</summary>
    public int CloseQuantile { get; init; } = 99;

    /// <summary>cbtmintimeout (ms).</summary>
    public int MinTimeoutMs { get; init; } = 10;

    /// <summary>cbtinitialtimeout (ms): used before enough data, and the floor of the close timeout.</summary>
    public int InitialTimeoutMs { get; init; } = 60_000;

    public static CbtParameters FromConsensus(NetParameters p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var quantile = p.Get("cbtquantile", 80, 10, 99);
        var minTimeout = p.Get("cbtmintimeout", 10, 10, int.MaxValue);
        return new CbtParameters
        {
            Disabled = p.Get("cbtdisabled", 0, 0, 1) == 1,
            NumModes = p.Get("cbtnummodes", 10, 1, 20),
            RecentCount = p.Get("cbtrecentcount", 20, 3, 1000),
            MaxTimeouts = p.Get("cbtmaxtimeouts", 18, 3, 10000),
            MinCircuits = p.Get("cbtmincircs", 100, 1, 10000),
            Quantile = quantile,
            CloseQuantile = p.Get("cbtclosequantile", 99, quantile, 99),
            MinTimeoutMs = minTimeout,
            InitialTimeoutMs = p.Get("cbtinitialtimeout", 60_000, minTimeout, int.MaxValue),
        };
    }
}
