// Relay cell crypto "tor1" for one hop (tor-spec 5.5, 6.1): AES-128-CTR with Kf / Kb (IV 0, the
// keystream continuing across cells) and running SHA-1 digests seeded with Df / Db.
using System.Security.Cryptography;
using static Burrow.Tor.Crypto.RelayCellLayout;

namespace Burrow.Tor.Crypto;

/// <summary>
/// The client's state for one hop. <see cref="Tor1CircuitCrypto"/> drives it; the methods here are
/// the single-hop steps. Not thread-safe: a circuit's cells are processed one at a time.
/// </summary>
internal sealed class Tor1HopCrypto : IDisposable
{
    public const int DigestValueLength = 20;

    private readonly AesCtr _forwardCipher;
    private readonly AesCtr _backwardCipher;
    private readonly IncrementalHash _forwardDigest;
    // The backward digest must only advance for cells this hop really sent. Checking a candidate
    // appends it to _backwardDigest; _backwardShadow trails with the same input only once the check
    // passed, so a failed check is undone by cloning the shadow (rare) and a passed one costs a
    // second SHA-1 pass but no allocation.
    private IncrementalHash _backwardDigest;
    private readonly IncrementalHash _backwardShadow;
    private readonly byte[] _lastOriginated = new byte[DigestValueLength];
    private readonly byte[] _lastReceived = new byte[DigestValueLength];
    private readonly byte[] _digestScratch;
    private readonly byte[] _forwardScratch;

    public Tor1HopCrypto(CircuitKeys keys)
    {
        _forwardCipher = new AesCtr(keys.Kf);
        _backwardCipher = new AesCtr(keys.Kb);
        // The onion-service virtual hop runs the same scheme with SHA3-256 and AES-256 (rend-spec-v3 5);
        // SENDME v1 digests stay 20 bytes (the running digest's first 20).
        var algorithm = keys.IsOnionService ? HashAlgorithmName.SHA3_256 : HashAlgorithmName.SHA1;
        var hashLength = keys.IsOnionService ? 32 : DigestValueLength;
        _digestScratch = new byte[hashLength];
        _forwardScratch = new byte[hashLength];
        _forwardDigest = IncrementalHash.CreateHash(algorithm);
        _forwardDigest.AppendData(keys.Df);
        _backwardDigest = IncrementalHash.CreateHash(algorithm);
        _backwardDigest.AppendData(keys.Db);
        _backwardShadow = IncrementalHash.CreateHash(algorithm);
        _backwardShadow.AppendData(keys.Db);
    }

    /// <summary>The full running forward digest after the last cell originated to this hop (for SENDME v1).</summary>
    public ReadOnlySpan<byte> LastOriginatedDigest => _lastOriginated;

    /// <summary>The full running backward digest after the last cell recognized from this hop (for SENDME v1).</summary>
    public ReadOnlySpan<byte> LastReceivedDigest => _lastReceived;

    /// <summary>
    /// Prepares a plaintext body addressed to this hop: zeroes 'recognized' and 'digest', adds the body
    /// to the forward digest and writes its first four bytes into the digest field. Does not encrypt.
    /// </summary>
    public void SealForward(Span<byte> body)
    {
        body.Slice(RecognizedOffset, 2).Clear();
        body.Slice(DigestOffset, DigestLength).Clear();
        _forwardDigest.AppendData(body);
        _forwardDigest.GetCurrentHash(_forwardScratch);
        _forwardScratch.AsSpan(0, DigestValueLength).CopyTo(_lastOriginated);
        _lastOriginated.AsSpan(0, DigestLength).CopyTo(body.Slice(DigestOffset, DigestLength));
    }

    /// <summary>Applies this hop's forward layer (Kf).</summary>
    public void EncryptForward(Span<byte> body) => _forwardCipher.Apply(body);

    /// <summary>Removes this hop's backward layer (Kb).</summary>
    public void DecryptBackward(Span<byte> body) => _backwardCipher.Apply(body);

    /// <summary>
    /// After <see cref="DecryptBackward"/>: true if the body is recognized as sent by this hop
    /// ('recognized' is zero and the digest matches), in which case the backward digest advances.
    /// Otherwise the digest state is left as it was. The body is left unchanged either way.
    /// </summary>
    public bool TryRecognizeBackward(Span<byte> body)
    {
        if (body[RecognizedOffset] != 0 || body[RecognizedOffset + 1] != 0)
            return false;
        var field = body.Slice(DigestOffset, DigestLength);
        Span<byte> received = stackalloc byte[DigestLength];
        field.CopyTo(received);
        field.Clear();
        _backwardDigest.AppendData(body);
        _backwardDigest.GetCurrentHash(_digestScratch);
        var match = CryptographicOperations.FixedTimeEquals(_digestScratch.AsSpan(0, DigestLength), received);
        if (match)
        {
            _backwardShadow.AppendData(body);
            _digestScratch.AsSpan(0, DigestValueLength).CopyTo(_lastReceived);
        }
        else
        {
            _backwardDigest.Dispose();
            _backwardDigest = _backwardShadow.Clone();
        }
        received.CopyTo(field);
        return match;
    }

    public void Dispose()
    {
        _forwardCipher.Dispose();
        _backwardCipher.Dispose();
        _forwardDigest.Dispose();
        _backwardDigest.Dispose();
        _backwardShadow.Dispose();
    }
}
