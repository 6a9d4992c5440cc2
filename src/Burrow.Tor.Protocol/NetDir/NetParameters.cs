// Typed consensus parameters with the defaults and bounds of param-spec.txt (and dir-spec
// 3.4.1 "params"). Out-of-range values are clamped, absent ones take the default.
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.NetDir;

internal sealed class NetParameters
{
    private readonly ConsensusParams _params;

    public NetParameters(ConsensusParams parameters)
    {
        _params = parameters;
        CircWindow = Get("circwindow", 1000, 100, 1000);
        SendmeEmitMinVersion = Get("sendme_emit_min_version", 0, 0, 255);
        SendmeAcceptMinVersion = Get("sendme_accept_min_version", 0, 0, 255);
        UseOptimisticData = Get("UseOptimisticData", 1, 0, 1) == 1;
        BwWeightScale = Get("bwweightscale", 10000, 1, int.MaxValue);
        MinPathsForCircsPct = Get("min_paths_for_circs_pct", 60, 25, 95);
        ExtendByEd25519Id = Get("ExtendByEd25519ID", 0, 0, 1) == 1;
        CircMaxCellQueueSize = Get("circ_max_cell_queue_size", 50000, 1000, int.MaxValue);
        RefuseUnknownExits = Get("refuseunknownexits", 0, 0, 1) == 1;
    }

    /// <summary>"circwindow": initial circuit package window. Min 100, max 1000, default 1000.</summary>
    public int CircWindow { get; }

    /// <summary>"sendme_emit_min_version": lowest SENDME version to send. 0..255, default 0.</summary>
    public int SendmeEmitMinVersion { get; }

    /// <summary>"sendme_accept_min_version": lowest SENDME version to accept. 0..255, default 0.</summary>
    public int SendmeAcceptMinVersion { get; }

    /// <summary>"UseOptimisticData": send data before CONNECTED. Default 1.</summary>
    public bool UseOptimisticData { get; }

    /// <summary>"bwweightscale": divisor for bandwidth-weights. Min 1, default 10000.</summary>
    public int BwWeightScale { get; }

    /// <summary>"min_paths_for_circs_pct": share of paths needed before building circuits. 25..95, default 60.</summary>
    public int MinPathsForCircsPct { get; }

    /// <summary>"ExtendByEd25519ID": include Ed25519 identities in EXTEND2. Default 0.</summary>
    public bool ExtendByEd25519Id { get; }

    /// <summary>"circ_max_cell_queue_size": cells queued per circuit. Min 1000, default 50000.</summary>
    public int CircMaxCellQueueSize { get; }

    /// <summary>"refuseunknownexits" (relay behaviour, informational). Default 0.</summary>
    public bool RefuseUnknownExits { get; }

    /// <summary>Any other parameter, with its default and bounds from param-spec.</summary>
    public int Get(string name, int defaultValue, int min, int max) => _params.Get(name, defaultValue, min, max);

    public ConsensusParams Raw => _params;
}
