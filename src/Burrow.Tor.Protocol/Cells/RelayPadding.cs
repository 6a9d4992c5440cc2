namespace Burrow.Tor.Cells;

/// <summary>How the unused tail of a relay cell body is filled.</summary>
internal enum RelayPadding
{
    /// <summary>tor-spec 6.1: four zero bytes, then random bytes (prop 289: unpredictable cells make
    /// authenticated SENDMEs meaningful).</summary>
    Random,

    /// <summary>All zero; for tests and byte-exact vectors only.</summary>
    Zero,
}
