namespace Burrow.Tor.Guards;

/// <summary>The persisted guard state is not usable (the message says why).</summary>
internal sealed class GuardStateException : Exception
{
    public GuardStateException(string message) : base(message) { }
}
