namespace Burrow.Tor.Client;

/// <summary>A <see cref="TorClient"/> operation failed; <see cref="Kind"/> says how, the message says why.</summary>
public sealed class TorClientException : Exception
{
    public TorClientException(TorClientErrorKind kind, string message, Exception? inner = null)
        : base(message, inner) => Kind = kind;

    /// <summary>What went wrong, for callers that act on it (retry, give up, report).</summary>

    public TorClientErrorKind Kind { get; }
}
