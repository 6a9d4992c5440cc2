using Burrow.Tor.CongestionControl;
using Burrow.Tor.NetDir;

namespace Burrow.Tor.Circuits;

/// <summary>
/// The consensus parameters a circuit obeys (param-spec: "circwindow", "sendme_emit_min_version",
/// "sendme_accept_min_version"), with the spec's bounds. The client maps its network directory's
/// parameters into this; the circuit layer does not read the directory itself.
/// </summary>
internal sealed record CircuitParameters
{
    public const int MinCircWindow = 100;
    public const int MaxCircWindow = 1000;

    public static CircuitParameters Default { get; } = new();

    /// <summary>Initial circuit package and deliver window in DATA cells (default 1000, 100..1000).</summary>
    public int CircWindow { get; init; } = MaxCircWindow;

    /// <summary>Lowest SENDME version to send. This client always sends version 1 (authenticated).</summary>
    public int SendmeEmitMinVersion { get; init; }

    /// <summary>Lowest SENDME version accepted from relays; lower ones close the circuit.</summary>
    public int SendmeAcceptMinVersion { get; init; }

    /// <summary>Congestion control (proposal 324) to ask exits for; null: fixed windows only (cc_alg=0).</summary>
    public CongestionControlParameters? CongestionControl { get; init; }

    /// <summary>"UseOptimisticData": streams may send DATA before CONNECTED (proposal 181).</summary>
    public bool UseOptimisticData { get; init; }

    /// <summary>Everything a circuit obeys, from the consensus.</summary>
    public static CircuitParameters FromConsensus(NetParameters p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var cc = CongestionControlParameters.FromConsensus(p);
        return FromConsensus(p.CircWindow, p.SendmeEmitMinVersion, p.SendmeAcceptMinVersion) with
        {
            CongestionControl = cc.Enabled ? cc : null,
            UseOptimisticData = p.UseOptimisticData,
        };
    }

    /// <summary>Parameters from consensus values, clamped to param-spec's ranges.</summary>
    public static CircuitParameters FromConsensus(int circWindow, int sendmeEmitMinVersion, int sendmeAcceptMinVersion) => new()
    {
        CircWindow = Math.Clamp(circWindow, MinCircWindow, MaxCircWindow),
        SendmeEmitMinVersion = Math.Clamp(sendmeEmitMinVersion, 0, 255),
        SendmeAcceptMinVersion = Math.Clamp(sendmeAcceptMinVersion, 0, 255),
    };
}
