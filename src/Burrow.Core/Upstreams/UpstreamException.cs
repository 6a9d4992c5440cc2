namespace Burrow.Core.Upstreams;

/// <summary>A stream could not be opened; <see cref="Kind"/> says why.</summary>
public sealed class UpstreamException : Exception
{
    public UpstreamException(UpstreamErrorKind kind, string message, Exception? inner = null) : base(message, inner)
        => Kind = kind;

    public UpstreamErrorKind Kind { get; }
}
