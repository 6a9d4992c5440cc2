// Client authorization keys in C tor's ClientOnionAuthDir format (rend-spec-v3 1.9.1 [CLIENT-AUTH]; the file
// format of tor(1) "CLIENT AUTHORIZATION"): one "*.auth_private" file per service holding
//   <56-char onion address, with or without .onion>:descriptor:x25519:<base32 x25519 private key>
using System.Diagnostics.CodeAnalysis;

namespace Burrow.Tor.Protocol.Onion;

/// <summary>An x25519 private key (KS_hsc_desc_enc) that opens one service's restricted descriptor.</summary>
internal sealed class OnionClientAuthKey
{
    public const string FileExtension = ".auth_private";

    public OnionClientAuthKey(OnionAddress address, byte[] privateKey)
    {
        if (privateKey.Length != 32)
            throw new ArgumentException($"an x25519 private key is 32 bytes, got {privateKey.Length}", nameof(privateKey));
        Address = address;
        PrivateKey = privateKey;
    }

    public OnionAddress Address { get; }

    public byte[] PrivateKey { get; }

    /// <summary>Parses one line of an .auth_private file.</summary>
    /// <exception cref="OnionException">Kind <see cref="OnionErrorKind.InvalidClientAuthKey"/>, naming the problem.</exception>
    public static OnionClientAuthKey Parse(string line, string source = "client auth key")
    {
        if (!TryParse(line, out var key, out var error))
            throw new OnionException(OnionErrorKind.InvalidClientAuthKey, $"{source}: {error}");
        return key;
    }

    public static bool TryParse(string line, [NotNullWhen(true)] out OnionClientAuthKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        var parts = line.Trim().Split(':');
        if (parts.Length != 4)
        {
            error = "expected '<onion address>:descriptor:x25519:<base32 private key>'";
            return false;
        }
        if (!OnionAddress.TryParse(parts[0], out var address, out var addressError))
        {
            error = addressError;
            return false;
        }
        if (parts[1] != "descriptor")
        {
            error = $"auth type '{parts[1]}' is not supported (only 'descriptor')";
            return false;
        }
        if (parts[2] != "x25519")
        {
            error = $"key type '{parts[2]}' is not supported (only 'x25519')";
            return false;
        }
        var b32 = parts[3].TrimEnd('=');
        var bytes = new byte[32];
        if (b32.Length != 52 || !OnionAddress.TryBase32Decode(b32, bytes))
        {
            error = "the private key is not 32 bytes of base32 (52 characters a-z, 2-7)";
            return false;
        }
        key = new OnionClientAuthKey(address, bytes);
        error = null;
        return true;
    }

    /// <summary>The line a file for this key holds (for tests and tools).</summary>
    public string ToFileLine() => $"{Address.Label}:descriptor:x25519:{OnionAddress.Base32Encode(PrivateKey)}";
}
