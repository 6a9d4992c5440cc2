// KDF-RFC5869 (tor-spec 5.2.2): HKDF-SHA256 with salt = t_key, info = m_expand, IKM = secret_input.
using System.Security.Cryptography;

namespace Burrow.Tor.Crypto;

internal static class KdfRfc5869
{
    /// <summary>HKDF-SHA256 can expand to at most 255 hash blocks.</summary>
    public const int MaxOutputLength = 255 * 32;

    /// <summary>Extract-then-expand: fills <paramref name="output"/> from the input keying material.</summary>
    public static void Derive(ReadOnlySpan<byte> ikm, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> info, Span<byte> output)
    {
        CheckLength(output);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, output, salt, info);
    }

    /// <summary>
    /// Expand only, from a pseudo-random key. ntor's KEY_SEED = HMAC-SHA256(t_key, secret_input) is
    /// exactly HKDF-Extract, so ntor expands KEY_SEED directly.
    /// </summary>
    public static void Expand(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> info, Span<byte> output)
    {
        CheckLength(output);
        HKDF.Expand(HashAlgorithmName.SHA256, prk, output, info);
    }

    private static void CheckLength(Span<byte> output)
    {
        if (output.Length > MaxOutputLength)
            throw new ArgumentException($"KDF-RFC5869 produces at most {MaxOutputLength} bytes", nameof(output));
    }
}
