namespace Burrow.Tor.PathBias;

/// <summary>How a guard's success rates compare with the path-spec 7.4 thresholds, worst last.</summary>
public enum PathBiasLevel
{
    /// <summary>Not enough circuits yet to judge.</summary>
    Unknown,
    /// <summary>Rates above every threshold.</summary>
    Ok,
    /// <summary>Below pb_noticepct or pb_noticeusepct.</summary>
    Notice,
    /// <summary>Below pb_warnpct.</summary>
    Warn,
    /// <summary>Below pb_extremepct or pb_extremeusepct: the guard is disabled when pb_dropguards is 1.</summary>
    Extreme,
}
