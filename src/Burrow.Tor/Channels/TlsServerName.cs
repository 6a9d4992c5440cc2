// The server name a channel's TLS ClientHello carries. Relays ignore it; what matters is not to stand out:
// C tor clients send a random "www.<letters>.com"/".net" name, and a ClientHello with none is rare on the
// Internet and marks the client. What .NET's SslStream cannot make like C tor's (OpenSSL-built) ClientHello:
// the order of cipher suites, extensions, supported groups and signature algorithms, the GREASE/padding
// extensions and record sizes are the platform TLS library's (OpenSSL through .NET on Linux, Secure
// Transport on macOS), not ours; CipherSuitesPolicy could reorder suites on Linux only, and is left alone.
using System.Security.Cryptography;

namespace Burrow.Tor.Channels;

internal static class TlsServerName
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>"www." + 8 to 20 random base32 characters + ".com" or ".net", fresh per connection.</summary>
    public static string Random()
    {
        var length = RandomNumberGenerator.GetInt32(8, 21);
        Span<char> label = stackalloc char[length];
        for (var i = 0; i < length; i++)
            label[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        return "www." + new string(label) + (RandomNumberGenerator.GetInt32(2) == 0 ? ".com" : ".net");
    }
}
