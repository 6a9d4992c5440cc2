namespace Burrow.Core.Transparent;

/// <summary>How a duplex copy ended.</summary>
public enum CopyOutcome
{
    /// <summary>Both sides finished sending (each half-closed in turn).</summary>
    Completed,
    /// <summary>No byte moved either way for the idle timeout.</summary>
    IdleTimeout,
    /// <summary>The network is stopping.</summary>
    Canceled,
    /// <summary>Reading from or writing to the redirected client failed.</summary>
    ClientError,
    /// <summary>Reading from or writing to the Tor stream failed.</summary>
    UpstreamError,
}
