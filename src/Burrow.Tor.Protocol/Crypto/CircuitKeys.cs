// The per-hop key material of tor-spec 5.2: Df, Db (digest seeds), Kf, Kb (AES-128 keys), KH.
using System.Security.Cryptography;

namespace Burrow.Tor.Crypto;

/// <summary>Keys for one hop of a circuit, produced by a circuit handshake.</summary>
internal sealed class CircuitKeys
{
    public const int DigestLength = 20;
    public const int KeyLength = 16;

    /// <summary>Df | Db | Kf | Kb: what the tor1 relay crypto needs (72 bytes).</summary>
    public const int RelayCryptoLength = 2 * DigestLength + 2 * KeyLength;

    /// <summary>Relay crypto material followed by KH / the onion-service nonce (92 bytes).</summary>
    public const int TotalLength = RelayCryptoLength + DigestLength;

    private CircuitKeys(byte[] df, byte[] db, byte[] kf, byte[] kb, byte[] kh)
    {
        Df = df;
        Db = db;
        Kf = kf;
        Kb = kb;
        Kh = kh;
    }

    /// <summary>Seed of the forward (client to relay) running digest.</summary>
    public byte[] Df { get; }

    /// <summary>Seed of the backward (relay to client) running digest.</summary>
    public byte[] Db { get; }

    /// <summary>Forward AES-128-CTR key.</summary>
    public byte[] Kf { get; }

    /// <summary>Backward AES-128-CTR key.</summary>
    public byte[] Kb { get; }

    /// <summary>KH (KDF-TOR handshakes) or the nonce that replaces it (ntor, ntor v3).</summary>
    public byte[] Kh { get; }

    /// <summary>Layout of KDF-RFC5869 output (ntor, ntor v3): Df | Db | Kf | Kb | KH.</summary>
    public static CircuitKeys FromRfc5869Layout(ReadOnlySpan<byte> material)
    {
        if (material.Length < TotalLength)
            throw new ArgumentException($"need {TotalLength} bytes of key material, got {material.Length}", nameof(material));
        return new CircuitKeys(
            material[..20].ToArray(), material[20..40].ToArray(), material[40..56].ToArray(),
            material[56..72].ToArray(), material[72..92].ToArray());
    }

    /// <summary>
    /// The onion-service virtual hop (rend-spec-v3 4.2.1): Df | Db (32-byte SHA3-256 seeds) | Kf | Kb (AES-256),
    /// from 128 bytes of hs-ntor key expansion. KH is empty.
    /// </summary>
    public static CircuitKeys ForOnionService(ReadOnlySpan<byte> material)
    {
        if (material.Length < 128)
            throw new ArgumentException($"need 128 bytes of onion-service key material, got {material.Length}", nameof(material));
        return new CircuitKeys(material[..32].ToArray(), material[32..64].ToArray(), material[64..96].ToArray(), material[96..128].ToArray(), []);
    }

    /// <summary>True for the onion-service hop's keys (SHA3-256 digests, AES-256) rather than tor1's (SHA-1, AES-128).</summary>
    public bool IsOnionService => Df.Length == 32;

    /// <summary>Layout of KDF-TOR output (TAP, CREATE_FAST): KH | Df | Db | Kf | Kb.</summary>
    public static CircuitKeys FromKdfTorLayout(ReadOnlySpan<byte> material)
    {
        if (material.Length < TotalLength)
            throw new ArgumentException($"need {TotalLength} bytes of key material, got {material.Length}", nameof(material));
        return new CircuitKeys(
            material[20..40].ToArray(), material[40..60].ToArray(), material[60..76].ToArray(),
            material[76..92].ToArray(), material[..20].ToArray());
    }

    /// <summary>
    /// The same keys with forward and backward exchanged. A client state built from these treats the
    /// relay's backward direction as its own forward one: originating to hop N with a circuit of
    /// reversed keys produces exactly the cell hop N would send back. For simulations and benchmarks.
    /// </summary>
    public CircuitKeys WithDirectionsSwapped() =>
        new((byte[])Db.Clone(), (byte[])Df.Clone(), (byte[])Kb.Clone(), (byte[])Kf.Clone(), (byte[])Kh.Clone());

    /// <summary>Wipes the key bytes once a hop's crypto state has been built from them.</summary>
    public void Clear()
    {
        CryptographicOperations.ZeroMemory(Df);
        CryptographicOperations.ZeroMemory(Db);
        CryptographicOperations.ZeroMemory(Kf);
        CryptographicOperations.ZeroMemory(Kb);
        CryptographicOperations.ZeroMemory(Kh);
    }
}
