namespace Burrow.Fuzz;

/// <summary>Crashes that are known and fixed elsewhere, so fuzzing reports them apart instead of stopping on them.
/// Ed25519 certificate expirations past year 9999 (Crypto/Ed25519Certificate.cs, RsaEd25519CrossCert.cs) belong
/// to the "safety" work; the harnesses count them here and carry on.</summary>
public static class KnownIssues
{
    private static long _expirationOverflow;

    public static long ExpirationOverflow => Interlocked.Read(ref _expirationOverflow);

    /// <summary>True (and counted) when <paramref name="e"/> is the year-9999 certificate expiration overflow.</summary>
    public static bool IsKnown(Exception e)
    {
        if (e is not ArgumentOutOfRangeException)
            return false;
        var trace = e.StackTrace ?? "";
        if (!trace.Contains("Ed25519Certificate", StringComparison.Ordinal) && !trace.Contains("RsaEd25519CrossCert", StringComparison.Ordinal))
            return false;
        Interlocked.Increment(ref _expirationOverflow);
        return true;
    }
}
