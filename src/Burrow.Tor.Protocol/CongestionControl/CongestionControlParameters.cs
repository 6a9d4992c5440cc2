// Consensus parameters of congestion control (proposal 324 sections 6.5.1, 6.5.3, 6.5.5; param-spec),
// with their ranges. Defaults are param-spec's current ones (the values C tor relays and the public
// consensus use); out-of-range values are clamped like every other consensus parameter.
using Burrow.Tor.NetDir;

namespace Burrow.Tor.CongestionControl;

/// <summary>What a congestion-controlled circuit obeys: the SENDME increment it asks for, the Vegas
/// window rules (the "_exit" variants: this client negotiates congestion control with exits only) and
/// the XON/XOFF stream limits.</summary>
internal sealed record CongestionControlParameters
{
    /// <summary>A 498-byte cell payload: the XOFF limits are counted in cells of stream data.</summary>
    private const int CellDataBytes = 498;

    public static CongestionControlParameters Default { get; } = new();

    /// <summary>"cc_alg": 0 fixed windows, 1 Westwood, 2 Vegas, 3 NOLA. Each endpoint runs its own algorithm;
    /// this client runs Vegas whenever the value is not 0.</summary>
    public int Algorithm { get; init; } = 2;

    /// <summary>"cc_sendme_inc" [1, 255], default 31: DATA cells per circuit SENDME.</summary>
    public int SendmeIncrement { get; init; } = 31;

    /// <summary>"cc_cwnd_init" [31, 10000], default 124.</summary>
    public int CwndInit { get; init; } = 124;

    /// <summary>"cc_cwnd_min" [31, 1000], default 124.</summary>
    public int CwndMin { get; init; } = 124;

    /// <summary>"cc_cwnd_max" [500, INT32_MAX], default INT32_MAX.</summary>
    public int CwndMax { get; init; } = int.MaxValue;

    /// <summary>"cc_cwnd_inc" [1, 1000], default 1: the steady-state step.</summary>
    public int CwndInc { get; init; } = 1;

    /// <summary>"cc_cwnd_inc_rate" [1, 250], default 31: steady-state updates happen every
    /// cwnd / (rate * sendme_inc) SENDMEs.</summary>
    public int CwndIncRate { get; init; } = 31;

    /// <summary>"cc_cwnd_inc_pct_ss" [1, 500], default 100: slow-start step in percent of sendme_inc.</summary>
    public int CwndIncPctSlowStart { get; init; } = 100;

    /// <summary>"cc_cwnd_full_gap" [0, INT16_MAX], default 4 (in sendme_inc units).</summary>
    public int CwndFullGap { get; init; } = 4;

    /// <summary>"cc_cwnd_full_minpct" [0, 100], default 25.</summary>
    public int CwndFullMinPct { get; init; } = 25;

    /// <summary>"cc_cwnd_full_per_cwnd" [0, 1], default 1.</summary>
    public bool CwndFullPerCwnd { get; init; } = true;

    /// <summary>"cc_ewma_cwnd_pct" [1, 255], default 50.</summary>
    public int EwmaCwndPct { get; init; } = 50;

    /// <summary>"cc_ewma_max" [2, INT32_MAX], default 10.</summary>
    public int EwmaMax { get; init; } = 10;

    /// <summary>"cc_ewma_ss" [2, INT32_MAX], default 2.</summary>
    public int EwmaSlowStart { get; init; } = 2;

    /// <summary>"cc_ss_max" [500, INT32_MAX], default 5000: hard cap on cwnd in slow start.</summary>
    public int SlowStartMax { get; init; } = 5000;

    /// <summary>"cc_vegas_alpha_exit" [0, 1000], default 186.</summary>
    public int VegasAlpha { get; init; } = 186;

    /// <summary>"cc_vegas_beta_exit" [0, 1000], default 248.</summary>
    public int VegasBeta { get; init; } = 248;

    /// <summary>"cc_vegas_gamma_exit" [0, 1000], default 186.</summary>
    public int VegasGamma { get; init; } = 186;

    /// <summary>"cc_vegas_delta_exit" [0, INT32_MAX], default 310.</summary>
    public int VegasDelta { get; init; } = 310;

    /// <summary>"cc_sscap_exit" [100, INT32_MAX], default 600: the RFC 3742 cap.</summary>
    public int VegasSlowStartCap { get; init; } = 600;

    /// <summary>"cc_xoff_client" [1, 10000], default 500: cells of stream data a client buffers before XOFF.</summary>
    public int XoffClientCells { get; init; } = 500;

    /// <summary>"cc_xoff_exit" [1, 10000], default 500.</summary>
    public int XoffExitCells { get; init; } = 500;

    /// <summary>"cc_xon_rate" [1, 5000], default 500: cells between drain-rate updates.</summary>
    public int XonRateCells { get; init; } = 500;

    /// <summary>"cc_xon_change_pct" [1, 99], default 25.</summary>
    public int XonChangePct { get; init; } = 25;

    /// <summary>"cc_xon_ewma_cnt" [2, 100], default 2.</summary>
    public int XonEwmaCount { get; init; } = 2;

    /// <summary>Stream bytes this client buffers before it sends XOFF.</summary>
    public int XoffClientBytes => XoffClientCells * CellDataBytes;

    public bool Enabled => Algorithm != 0;

    /// <summary>The parameters of a consensus. An absent cc_alg means Vegas (param-spec's default is 2);
    /// only an explicit cc_alg=0 turns congestion control off.</summary>
    public static CongestionControlParameters FromConsensus(NetParameters p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new CongestionControlParameters
        {
            Algorithm = p.Get("cc_alg", 2, 0, 3),
            SendmeIncrement = p.Get("cc_sendme_inc", 31, 1, 255),
            CwndInit = p.Get("cc_cwnd_init", 124, 31, 10000),
            CwndMin = p.Get("cc_cwnd_min", 124, 31, 1000),
            CwndMax = p.Get("cc_cwnd_max", int.MaxValue, 500, int.MaxValue),
            CwndInc = p.Get("cc_cwnd_inc", 1, 1, 1000),
            CwndIncRate = p.Get("cc_cwnd_inc_rate", 31, 1, 250),
            CwndIncPctSlowStart = p.Get("cc_cwnd_inc_pct_ss", 100, 1, 500),
            CwndFullGap = p.Get("cc_cwnd_full_gap", 4, 0, short.MaxValue),
            CwndFullMinPct = p.Get("cc_cwnd_full_minpct", 25, 0, 100),
            CwndFullPerCwnd = p.Get("cc_cwnd_full_per_cwnd", 1, 0, 1) == 1,
            EwmaCwndPct = p.Get("cc_ewma_cwnd_pct", 50, 1, 255),
            EwmaMax = p.Get("cc_ewma_max", 10, 2, int.MaxValue),
            EwmaSlowStart = p.Get("cc_ewma_ss", 2, 2, int.MaxValue),
            SlowStartMax = p.Get("cc_ss_max", 5000, 500, int.MaxValue),
            VegasAlpha = p.Get("cc_vegas_alpha_exit", 186, 0, 1000),
            VegasBeta = p.Get("cc_vegas_beta_exit", 248, 0, 1000),
            VegasGamma = p.Get("cc_vegas_gamma_exit", 186, 0, 1000),
            VegasDelta = p.Get("cc_vegas_delta_exit", 310, 0, int.MaxValue),
            VegasSlowStartCap = p.Get("cc_sscap_exit", 600, 100, int.MaxValue),
            XoffClientCells = p.Get("cc_xoff_client", 500, 1, 10000),
            XoffExitCells = p.Get("cc_xoff_exit", 500, 1, 10000),
            XonRateCells = p.Get("cc_xon_rate", 500, 1, 5000),
            XonChangePct = p.Get("cc_xon_change_pct", 25, 1, 99),
            XonEwmaCount = p.Get("cc_xon_ewma_cnt", 2, 2, 100),
        };
    }
}
