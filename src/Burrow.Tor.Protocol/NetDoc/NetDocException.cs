namespace Burrow.Tor.NetDoc;

/// <summary>
/// A directory document (consensus, authority certificate, microdescriptor) that cannot be
/// parsed or does not follow its format. <see cref="LineNumber"/> is the 1-based line where the
/// problem was found, or 0 when it concerns the document as a whole.
/// </summary>
internal sealed class NetDocException : Exception
{
    public NetDocException(string message, int lineNumber = 0)
        : base(lineNumber > 0 ? $"line {lineNumber}: {message}" : message)
    {
        LineNumber = lineNumber;
        Reason = message;
    }

    /// <summary>1-based line number of the offending line; 0 if not tied to a line.</summary>
    public int LineNumber { get; }

    /// <summary>The message without the line prefix.</summary>
    public string Reason { get; }
}
