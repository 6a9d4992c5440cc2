using System.Buffers;
using System.Buffers.Text;
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.Identities;

/// <summary>
/// A relay's Ed25519 master identity key (32 bytes, tor-spec 1.1; cert-spec): from a
/// microdescriptor's "id ed25519" line, a fallback cache, or proven in a CERTS cell. A value type
/// so lookups allocate nothing. Text form: unpadded base64 (43 characters), as directory
/// documents spell it.
/// </summary>
internal readonly struct Ed25519Identity : IEquatable<Ed25519Identity>
{
    public const int Length = 32;

    /// <summary>Characters of the unpadded base64 form.</summary>
    public const int Base64Length = 43;

    // The 32 bytes, stored, compared and encoded as any other 256-bit value.
    private readonly Digest256 _key;

    public Ed25519Identity(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
            throw new ArgumentException($"an Ed25519 identity is {Length} bytes, got {bytes.Length}", nameof(bytes));
        _key = new Digest256(bytes);
    }

    /// <summary>Parses 43 characters of unpadded base64 (or 44 with its '=').</summary>
    /// <exception cref="FormatException">Not base64 of 32 bytes.</exception>
    public static Ed25519Identity FromBase64(string base64)
    {
        if (!TryFromBase64(base64, out var id))
            throw new FormatException($"an Ed25519 identity must be {Base64Length} base64 characters (32 bytes): '{base64}'");
        return id;
    }

    /// <summary>Parses 43 characters of unpadded base64 (or 44 with its '=').</summary>
    public static bool TryFromBase64(ReadOnlySpan<char> base64, out Ed25519Identity id)
    {
        id = default;
        if (base64.Length is not (Base64Length or Base64Length + 1))
            return false;
        Span<byte> ascii = stackalloc byte[Base64Length + 1];
        for (var i = 0; i < base64.Length; i++)
        {
            if (base64[i] > 127)
                return false;
            ascii[i] = (byte)base64[i];
        }
        // The padded form must end in its '='; the unpadded one gets it here.
        if (base64.Length == Base64Length)
            ascii[Base64Length] = (byte)'=';
        Span<byte> bytes = stackalloc byte[Length + 1];
        if (Base64.DecodeFromUtf8(ascii, bytes, out var consumed, out var written) != OperationStatus.Done
            || consumed != ascii.Length || written != Length)
            return false;
        id = new Ed25519Identity(bytes[..Length]);
        return true;
    }

    /// <summary>Whether <paramref name="bytes"/> are this key's 32 bytes.</summary>
    public bool Matches(ReadOnlySpan<byte> bytes) => bytes.Length == Length && Equals(new Ed25519Identity(bytes));

    public void CopyTo(Span<byte> destination) => _key.CopyTo(destination);

    public byte[] ToArray() => _key.ToArray();

    /// <summary>Unpadded base64, the form directory documents use.</summary>
    public string ToBase64() => _key.ToBase64Unpadded();

    /// <summary>Unpadded base64 (<see cref="ToBase64"/>).</summary>
    public override string ToString() => ToBase64();

    public bool Equals(Ed25519Identity other) => _key.Equals(other._key);

    public override bool Equals(object? obj) => obj is Ed25519Identity other && Equals(other);

    public override int GetHashCode() => _key.GetHashCode();

    public static bool operator ==(Ed25519Identity left, Ed25519Identity right) => left.Equals(right);

    public static bool operator !=(Ed25519Identity left, Ed25519Identity right) => !left.Equals(right);
}
