using Burrow.Tor.CongestionControl;

namespace Burrow.Tor.Circuits;

/// <summary>A circuit's congestion-control state: the Vegas controller and the credit bookkeeping of
/// <see cref="Circuit"/> (both touched by the channel's reader loop only).</summary>
internal sealed class CircuitCongestion(CongestionControlParameters parameters, int sendmeIncrement)
{
    public CongestionControlParameters Parameters { get; } = parameters;

    public VegasController Controller { get; } = new(parameters, sendmeIncrement);

    /// <summary>Package credits available plus those taken and not yet acknowledged.</summary>
    public int Represented { get; set; }
}
