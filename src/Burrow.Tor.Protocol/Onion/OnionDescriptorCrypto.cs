// Descriptor layer encryption (rend-spec-v3 2.5.3 [HS-DESC-ENCRYPTION-KEYS]):
//   keys = SHAKE-256(SECRET_DATA | N_hs_subcred | INT_8(revision_counter) | SALT | STRING_CONSTANT, 32 + 16 + 32)
//   blob = SALT[16] | AES-256-CTR(SECRET_IV, SECRET_KEY) XOR plaintext | D_MAC[32]
//   D_MAC = H(htonll(32) | MAC_KEY | htonll(16) | SALT | ENCRYPTED)
using System.Buffers.Binary;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;

namespace Burrow.Tor.Protocol.Onion;

internal static class OnionDescriptorCrypto
{
    public const string SuperencryptedConstant = "hsdir-superencrypted-data";
    public const string EncryptedConstant = "hsdir-encrypted-data";
    private const int SaltLength = 16, KeyLength = 32, IvLength = 16, MacLength = 32;

    /// <summary>Decrypts one layer; null when its MAC does not match (wrong keys, or tampering).</summary>
    public static byte[]? TryDecrypt(ReadOnlySpan<byte> blob, ReadOnlySpan<byte> secretData, ReadOnlySpan<byte> subcredential,
        ulong revisionCounter, string constant)
    {
        if (blob.Length < SaltLength + MacLength)
            throw OnionDocReader.Invalid($"an encrypted layer of {blob.Length} bytes is shorter than its salt and MAC");
        var salt = blob[..SaltLength].ToArray();
        var ciphertext = blob[SaltLength..^MacLength];
        var keys = OnionHash.Kdf(KeyLength + IvLength + MacLength,
            secretData.ToArray(), subcredential.ToArray(), OnionHash.Int8(revisionCounter), salt, OnionHash.Ascii(constant));
        var macKey = keys.AsSpan(KeyLength + IvLength, MacLength);

        var d = new Sha3Digest(256);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(len, MacLength);
        d.BlockUpdate(len);
        d.BlockUpdate(macKey);
        BinaryPrimitives.WriteUInt64BigEndian(len, SaltLength);
        d.BlockUpdate(len);
        d.BlockUpdate(salt);
        d.BlockUpdate(ciphertext);
        Span<byte> mac = stackalloc byte[MacLength];
        d.DoFinal(mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, blob[^MacLength..]))
            return null;
        var plaintext = ciphertext.ToArray();
        AesCtrWithIv(keys.AsSpan(0, KeyLength), keys.AsSpan(KeyLength, IvLength), plaintext);
        return plaintext;
    }

    /// <summary>AES-CTR whose initial counter block is <paramref name="iv"/> (the descriptor layers and client-auth cookies).</summary>
    public static void AesCtrWithIv(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, Span<byte> data)
    {
        using var aes = Aes.Create();
        aes.Key = key.ToArray();
        var counter = BinaryPrimitives.ReadUInt128BigEndian(iv);
        var blocks = (data.Length + 15) / 16;
        var input = new byte[blocks * 16];
        for (var i = 0; i < blocks; i++)
            BinaryPrimitives.WriteUInt128BigEndian(input.AsSpan(i * 16, 16), counter++);
        var stream = new byte[input.Length];
        aes.EncryptEcb(input, stream, PaddingMode.None);
        for (var i = 0; i < data.Length; i++)
            data[i] ^= stream[i];
    }
}
