// Path bias thresholds (path-spec 7.4): the consensus "pb_*" parameters with the spec's defaults and bounds.
using Burrow.Tor.NetDir;

namespace Burrow.Tor.PathBias;

internal sealed record PathBiasParameters
{
    public static PathBiasParameters Default { get; } = new();

    /// <summary>pb_mincircs: circuits past the first hop before construction rates are judged.</summary>
    public int MinCircuits { get; init; } = 150;

    /// <summary>pb_noticepct: construction success below this percentage is logged as a notice.</summary>
    public int NoticePercent { get; init; } = 70;

    /// <summary>pb_warnpct: below this, a warning.</summary>
    public int WarnPercent { get; init; } = 50;

    /// <summary>pb_extremepct: below this, an alarmist warning, and the guard is disabled when <see cref="DropGuards"/>.</summary>
    public int ExtremePercent { get; init; } = 30;

    /// <summary>pb_dropguards: disable guards past the extreme thresholds.</summary>
    public bool DropGuards { get; init; }

    /// <summary>pb_scalecircs: scale the construction counts once this many attempts are counted.</summary>
    public int ScaleCircuits { get; init; } = 300;

    /// <summary>pb_multfactor / pb_scalefactor: the scale factor (1/2 by default).</summary>
    public double ScaleFactor { get; init; } = 0.5;

    /// <summary>pb_minuse: circuits used before usage rates are judged.</summary>
    public int MinUse { get; init; } = 20;

    /// <summary>pb_noticeusepct.</summary>
    public int NoticeUsePercent { get; init; } = 80;

    /// <summary>pb_extremeusepct: below this, a warning, and the guard is disabled when <see cref="DropGuards"/>.</summary>
    public int ExtremeUsePercent { get; init; } = 60;

    /// <summary>pb_scaleuse: scale the usage counts once this many use attempts are counted.</summary>
    public int ScaleUse { get; init; } = 100;

    public static PathBiasParameters FromConsensus(NetParameters p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var mult = p.Get("pb_multfactor", 1, 0, int.MaxValue);
        var scale = p.Get("pb_scalefactor", 2, 1, int.MaxValue);
        return new PathBiasParameters
        {
            MinCircuits = p.Get("pb_mincircs", 150, 5, int.MaxValue),
            NoticePercent = p.Get("pb_noticepct", 70, 0, 100),
            WarnPercent = p.Get("pb_warnpct", 50, 0, 100),
            ExtremePercent = p.Get("pb_extremepct", 30, 0, 100),
            DropGuards = p.Get("pb_dropguards", 0, 0, 1) == 1,
            ScaleCircuits = p.Get("pb_scalecircs", 300, 10, int.MaxValue),
            ScaleFactor = Math.Clamp((double)mult / scale, 0.0, 1.0),
            MinUse = p.Get("pb_minuse", 20, 3, int.MaxValue),
            NoticeUsePercent = p.Get("pb_noticeusepct", 80, 3, 100),
            ExtremeUsePercent = p.Get("pb_extremeusepct", 60, 3, 100),
            ScaleUse = p.Get("pb_scaleuse", 100, 10, int.MaxValue),
        };
    }
}
