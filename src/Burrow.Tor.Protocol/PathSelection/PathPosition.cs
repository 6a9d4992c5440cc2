namespace Burrow.Tor.PathSelection;

/// <summary>The position a relay is chosen for; it selects the bandwidth-weights row (path-spec 2.2).</summary>
internal enum PathPosition
{
    /// <summary>First hop: Wgg / Wgd / Wgm.</summary>
    Guard,
    /// <summary>Middle hop: Wmg / Wmd / Wme / Wmm.</summary>
    Middle,
    /// <summary>Last hop of an exit circuit: Weg / Wed / Wee / Wem.</summary>
    Exit,
    /// <summary>A directory cache for BEGIN_DIR: Wbg / Wbd / Wbe / Wbm.</summary>
    Directory,
}
