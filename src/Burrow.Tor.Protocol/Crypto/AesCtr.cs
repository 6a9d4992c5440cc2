// AES in counter mode with an all-zero IV (tor-spec 0.3 "Ciphers"): AES-128 for relay cells,
// AES-256 for ntor v3 message encryption (prop 332 A.1).
using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Burrow.Tor.Crypto;

/// <summary>
/// A keystream that continues across calls (one per direction per hop). Keystream blocks are made
/// by encrypting big-endian 128-bit counters with a reusable AES-ECB transform, a chunk at a time,
/// so applying it to a cell allocates nothing. Not thread-safe.
/// </summary>
internal sealed class AesCtr : IDisposable
{
    // 64 blocks per refill: one ECB call covers two relay cells' worth of keystream.
    private const int ChunkBytes = 64 * 16;

    private readonly Aes _aes;
    private readonly ICryptoTransform _ecb;
    private readonly byte[] _counters = new byte[ChunkBytes];
    private readonly byte[] _keystream = new byte[ChunkBytes];
    private int _used = ChunkBytes;
    private UInt128 _counter;
    private bool _disposed;

    /// <param name="key">16 bytes (AES-128) or 32 bytes (AES-256).</param>
    public AesCtr(ReadOnlySpan<byte> key)
    {
        if (key.Length is not (16 or 32))
            throw new ArgumentException($"AES-CTR key must be 16 or 32 bytes, got {key.Length}", nameof(key));
        _aes = Aes.Create();
        var k = key.ToArray();
        _aes.Key = k;
        CryptographicOperations.ZeroMemory(k);
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
        _ecb = _aes.CreateEncryptor();
    }

    /// <summary>XORs the next <c>data.Length</c> keystream bytes into <paramref name="data"/> (encrypt = decrypt).</summary>
    public void Apply(Span<byte> data)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (!data.IsEmpty)
        {
            if (_used == ChunkBytes)
                Refill();
            var n = Math.Min(data.Length, ChunkBytes - _used);
            Xor(data[..n], _keystream.AsSpan(_used, n));
            _used += n;
            data = data[n..];
        }
    }

    private void Refill()
    {
        for (var off = 0; off < ChunkBytes; off += 16)
            BinaryPrimitives.WriteUInt128BigEndian(_counters.AsSpan(off, 16), _counter++);
        _ecb.TransformBlock(_counters, 0, ChunkBytes, _keystream, 0);
        _used = 0;
    }

    internal static void Xor(Span<byte> data, ReadOnlySpan<byte> keystream)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = Vector<byte>.Count;
            for (; i <= data.Length - w; i += w)
                (new Vector<byte>(data[i..]) ^ new Vector<byte>(keystream[i..])).CopyTo(data[i..]);
        }
        for (; i < data.Length; i++)
            data[i] ^= keystream[i];
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _ecb.Dispose();
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_keystream);
    }
}
