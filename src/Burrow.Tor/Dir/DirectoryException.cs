namespace Burrow.Tor.Dir;

/// <summary>A directory request or document failed; <see cref="Kind"/> says how.</summary>
internal sealed class DirectoryException : Exception
{
    public DirectoryException(DirectoryErrorKind kind, string message, Exception? inner = null, int? statusCode = null)
        : base(message, inner)
    {
        Kind = kind;
        StatusCode = statusCode;
    }

    public DirectoryErrorKind Kind { get; }

    /// <summary>The HTTP status for <see cref="DirectoryErrorKind.HttpStatus"/>.</summary>
    public int? StatusCode { get; }
}
