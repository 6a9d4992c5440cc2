// Both encryption layers of a v3 descriptor (rend-spec-v3 2.5.1, 2.5.2): the first layer's plaintext
// (desc-auth-type, desc-auth-ephemeral-key, auth-client lines, "encrypted"), client authorization
//   SECRET_SEED = x25519(KS_hsc_desc_enc, KP_hss_desc_enc); KEYS = KDF(N_hs_subcred | SECRET_SEED, 40)
//   CLIENT-ID = KEYS[0..8]; COOKIE-KEY = KEYS[8..40]; N_hs_desc_enc = STREAM(iv, COOKIE-KEY) XOR encrypted-cookie
// and the second layer (SECRET_DATA = blinded key | descriptor cookie).
using System.Security.Cryptography;
using System.Text;
using Burrow.Tor.Crypto;

namespace Burrow.Tor.Protocol.Onion;

/// <summary>Decrypts a verified descriptor to its inner layer.</summary>
internal static class OnionDescriptorLayers
{
    /// <summary>
    /// Decrypts both layers of <paramref name="descriptor"/> with <paramref name="subcredential"/> and, for a
    /// restricted service, <paramref name="clientAuthKey"/>.
    /// </summary>
    /// <exception cref="OnionException">
    /// <see cref="OnionErrorKind.ClientAuthRequired"/> when the inner layer needs a key that was not given or
    /// is not authorized; <see cref="OnionErrorKind.InvalidDescriptor"/> for anything malformed.
    /// </exception>
    public static OnionInnerLayer Decrypt(OnionDescriptor descriptor, ReadOnlySpan<byte> subcredential, byte[]? clientAuthKey)
    {
        var first = OnionDescriptorCrypto.TryDecrypt(descriptor.Superencrypted, descriptor.BlindedKey, subcredential,
            descriptor.RevisionCounter, OnionDescriptorCrypto.SuperencryptedConstant)
            ?? throw OnionDocReader.Invalid("the first (superencrypted) layer's MAC does not match: not this service's descriptor or damaged");
        var items = OnionDocReader.Parse(Encoding.Latin1.GetString(first));
        byte[]? ephemeral = null;
        byte[]? encrypted = null;
        var clients = new List<(byte[] Id, byte[] Iv, byte[] Cookie)>();
        foreach (var item in items)
        {
            switch (item.Keyword)
            {
                case "desc-auth-type":
                    if (item.Arg(0, "type") != "x25519")
                        throw OnionDocReader.Invalid($"desc-auth-type '{item.Args[0]}' is not supported (only x25519)");
                    break;
                case "desc-auth-ephemeral-key":
                    ephemeral = OnionDocReader.Base64(item.Arg(0, "key"), 32, "desc-auth-ephemeral-key");
                    break;
                case "auth-client":
                    clients.Add((OnionDocReader.Base64(item.Arg(0, "client-id"), 8, "auth-client client-id"),
                        OnionDocReader.Base64(item.Arg(1, "iv"), 16, "auth-client iv"),
                        OnionDocReader.Base64(item.Arg(2, "encrypted-cookie"), -1, "auth-client encrypted-cookie")));
                    break;
                case "encrypted":
                    encrypted = item.RequireObject("MESSAGE");
                    break;
            }
        }
        if (encrypted == null)
            throw OnionDocReader.Invalid("the first layer has no 'encrypted' item");

        byte[]? cookie = null;
        if (clientAuthKey != null)
        {
            if (ephemeral == null)
                throw OnionDocReader.Invalid("the first layer has no desc-auth-ephemeral-key");
            cookie = FindCookie(subcredential, clientAuthKey, ephemeral, clients);
        }
        var secret = cookie == null ? descriptor.BlindedKey : [.. descriptor.BlindedKey, .. cookie];
        var second = OnionDescriptorCrypto.TryDecrypt(encrypted, secret, subcredential, descriptor.RevisionCounter, OnionDescriptorCrypto.EncryptedConstant);
        if (second == null)
        {
            throw new OnionException(OnionErrorKind.ClientAuthRequired, clientAuthKey == null
                ? "the onion service requires client authorization and no key for it is configured"
                : "the onion service requires client authorization and the configured key is not authorized");
        }
        return OnionInnerLayer.Parse(Encoding.Latin1.GetString(second), descriptor.SigningKey);
    }

    private static byte[] FindCookie(ReadOnlySpan<byte> subcredential, byte[] clientKey, byte[] ephemeral, List<(byte[] Id, byte[] Iv, byte[] Cookie)> clients)
    {
        var seed = new byte[32];
        if (!Curve25519.TryAgree(clientKey, ephemeral, seed))
            throw OnionDocReader.Invalid("desc-auth-ephemeral-key is a low-order point");
        var keys = OnionHash.Kdf(40, subcredential.ToArray(), seed);
        var id = keys.AsSpan(0, 8);
        foreach (var c in clients)
        {
            if (!CryptographicOperations.FixedTimeEquals(c.Id, id))
                continue;
            var cookie = (byte[])c.Cookie.Clone();
            OnionDescriptorCrypto.AesCtrWithIv(keys.AsSpan(8, 32), c.Iv, cookie);
            return cookie;
        }
        throw new OnionException(OnionErrorKind.ClientAuthRequired,
            "the onion service requires client authorization and the configured key is not among its authorized clients");
    }
}
