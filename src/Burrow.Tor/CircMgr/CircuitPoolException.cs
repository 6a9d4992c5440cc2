namespace Burrow.Tor.CircMgr;

/// <summary>The pool could not provide a circuit; <see cref="Kind"/> says why.</summary>
internal sealed class CircuitPoolException : Exception
{
    public CircuitPoolException(CircuitPoolErrorKind kind, string message, Exception? inner = null)
        : base(message, inner) => Kind = kind;

    public CircuitPoolErrorKind Kind { get; }
}
