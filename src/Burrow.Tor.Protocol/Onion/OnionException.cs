namespace Burrow.Tor.Protocol.Onion;

/// <summary>An onion-service failure in the I/O-free core; <see cref="Kind"/> says which.</summary>
internal sealed class OnionException : Exception
{
    public OnionException(OnionErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
    }

    public OnionErrorKind Kind { get; }
}
