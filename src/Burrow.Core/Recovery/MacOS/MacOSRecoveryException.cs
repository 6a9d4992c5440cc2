namespace Burrow.Core.Recovery.MacOS;

/// <summary>A macOS destination-recovery mechanism could not be set up or failed (device, permission, layout).</summary>
internal sealed class MacOSRecoveryException : Exception
{
    public MacOSRecoveryException(string message, int errno = 0)
        : base(message)
    {
        Errno = errno;
    }

    /// <summary>The errno behind the failure, 0 when none.</summary>
    public int Errno { get; }
}
