namespace Burrow.Tor.Crypto;

/// <summary>A key, certificate or handshake message that cannot be used: the message says what and why.</summary>
internal sealed class TorCryptoException : Exception
{
    public TorCryptoException(string message) : base(message) { }
    public TorCryptoException(string message, Exception inner) : base(message, inner) { }
}
