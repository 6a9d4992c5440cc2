namespace Burrow.Tor.NetDoc;

/// <summary>A relay's Ed25519 master identity key (32 bytes), from a microdescriptor's "id ed25519" line.</summary>
internal readonly struct Ed25519Identity : IEquatable<Ed25519Identity>
{
    public const int Length = 32;

    private readonly Digest256 _bytes;

    public Ed25519Identity(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
            throw new ArgumentException($"an Ed25519 identity is {Length} bytes, got {bytes.Length}", nameof(bytes));
        _bytes = new Digest256(bytes);
    }

    public static bool TryFromBase64(string base64, out Ed25519Identity id)
    {
        if (Digest256.TryFromBase64(base64, out var d))
        {
            id = new Ed25519Identity(d.ToArray());
            return true;
        }
        id = default;
        return false;
    }

    public void CopyTo(Span<byte> destination) => _bytes.CopyTo(destination);

    public byte[] ToArray() => _bytes.ToArray();

    /// <summary>Unpadded base64, the form directory documents use.</summary>
    public override string ToString() => _bytes.ToBase64Unpadded();

    public bool Equals(Ed25519Identity other) => _bytes.Equals(other._bytes);

    public override bool Equals(object? obj) => obj is Ed25519Identity other && Equals(other);

    public override int GetHashCode() => _bytes.GetHashCode();

    public static bool operator ==(Ed25519Identity left, Ed25519Identity right) => left.Equals(right);

    public static bool operator !=(Ed25519Identity left, Ed25519Identity right) => !left.Equals(right);
}
