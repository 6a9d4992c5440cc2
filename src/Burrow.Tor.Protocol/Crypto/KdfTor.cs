// KDF-TOR (tor-spec 5.2.1): K = SHA1(K0 | [00]) | SHA1(K0 | [01]) | ..., used by TAP, CREATE_FAST
// and the legacy onion-service protocol.
using System.Security.Cryptography;

namespace Burrow.Tor.Crypto;

internal static class KdfTor
{
    /// <summary>At most 256 SHA-1 blocks exist (the counter is one byte).</summary>
    public const int MaxOutputLength = 256 * 20;

    /// <summary>Fills <paramref name="output"/> with KDF-TOR key material derived from <paramref name="k0"/>.</summary>
    public static void Derive(ReadOnlySpan<byte> k0, Span<byte> output)
    {
        if (output.Length > MaxOutputLength)
            throw new ArgumentException($"KDF-TOR produces at most {MaxOutputLength} bytes", nameof(output));
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        Span<byte> block = stackalloc byte[20];
        Span<byte> counter = stackalloc byte[1];
        for (var i = 0; !output.IsEmpty; i++)
        {
            counter[0] = (byte)i;
            sha1.AppendData(k0);
            sha1.AppendData(counter);
            sha1.GetHashAndReset(block);
            var n = Math.Min(20, output.Length);
            block[..n].CopyTo(output);
            output = output[n..];
        }
        CryptographicOperations.ZeroMemory(block);
    }
}
