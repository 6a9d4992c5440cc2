// The onion-service building blocks of rend-spec-v3 0.3: H = SHA3-256, KDF = SHAKE-256,
// MAC(k, m) = H(htonll(len(k)) | k | m).
using System.Buffers.Binary;
using Org.BouncyCastle.Crypto.Digests;

namespace Burrow.Tor.Protocol.Onion;

internal static class OnionHash
{
    public const int Length = 32;

    /// <summary>SHA3-256 over the concatenation of <paramref name="parts"/>.</summary>
    public static byte[] H(params ReadOnlySpan<byte[]> parts)
    {
        var d = new Sha3Digest(256);
        foreach (var p in parts)
            d.BlockUpdate(p, 0, p.Length);
        var output = new byte[Length];
        d.DoFinal(output, 0);
        return output;
    }

    /// <summary>MAC(key, message) = SHA3-256(htonll(len(key)) | key | message).</summary>
    public static byte[] Mac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message)
    {
        var d = new Sha3Digest(256);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(len, (ulong)key.Length);
        d.BlockUpdate(len);
        d.BlockUpdate(key);
        d.BlockUpdate(message);
        var output = new byte[Length];
        d.DoFinal(output);
        return output;
    }

    /// <summary>SHAKE-256 of the concatenation of <paramref name="parts"/>, <paramref name="length"/> bytes.</summary>
    public static byte[] Kdf(int length, params ReadOnlySpan<byte[]> parts)
    {
        var d = new ShakeDigest(256);
        foreach (var p in parts)
            d.BlockUpdate(p, 0, p.Length);
        var output = new byte[length];
        d.OutputFinal(output, 0, length);
        return output;
    }

    /// <summary>INT_8: a 64-bit big-endian integer.</summary>
    public static byte[] Int8(ulong value)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, value);
        return b;
    }

    public static byte[] Ascii(string s) => System.Text.Encoding.ASCII.GetBytes(s);
}
