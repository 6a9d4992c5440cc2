namespace Burrow.Tor.Client;

/// <summary>A <see cref="TorClient"/> operation failed; <see cref="Kind"/> says how, the message says why.</summary>
internal sealed class TorClientException : Exception
{
    public TorClientException(TorClientErrorKind kind, string message, Exception? inner = null)
        : base(message, inner) => Kind = kind;

    public TorClientErrorKind Kind { get; }
}
