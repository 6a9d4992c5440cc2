namespace Burrow.Tor.Channels;

/// <summary>A channel to a relay failed or closed. <see cref="Kind"/> says what to do about it; the
/// message names the relay and the step that failed.</summary>
internal sealed class ChannelException : IOException
{
    public ChannelException(ChannelErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
    }

    public ChannelErrorKind Kind { get; }
}
