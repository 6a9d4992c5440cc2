using System.Security.Cryptography;
using Burrow.Tor.Crypto;

namespace Burrow.Tor.Tests.Crypto;

/// <summary>
/// One relay's half of the tor1 relay crypto (tor-spec 5.5.2.2, 5.5.3.1, 6.1), written here
/// independently of the client code so round trips check one against the other.
/// </summary>
internal sealed class Tor1RelaySide : IDisposable
{
    private readonly AesCtr _forward;
    private readonly AesCtr _backward;
    private IncrementalHash _forwardDigest;
    private readonly IncrementalHash _backwardDigest;

    public Tor1RelaySide(CircuitKeys keys)
    {
        _forward = new AesCtr(keys.Kf);
        _backward = new AesCtr(keys.Kb);
        _forwardDigest = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        _forwardDigest.AppendData(keys.Df);
        _backwardDigest = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        _backwardDigest.AppendData(keys.Db);
    }

    public byte[] LastForwardDigest { get; } = new byte[20];

    public byte[] LastBackwardDigest { get; } = new byte[20];

    /// <summary>Removes this relay's forward layer; true if the cell is for this relay (then it is plaintext).</summary>
    public bool ReceiveForward(Span<byte> body)
    {
        _forward.Apply(body);
        if (body[1] != 0 || body[2] != 0)
            return false;
        var copy = body.ToArray();
        copy.AsSpan(5, 4).Clear();
        var candidate = _forwardDigest.Clone();
        candidate.AppendData(copy);
        var d = candidate.GetCurrentHash();
        if (!d.AsSpan(0, 4).SequenceEqual(body.Slice(5, 4)))
        {
            candidate.Dispose();
            return false;
        }
        _forwardDigest.Dispose();
        _forwardDigest = candidate;
        d.CopyTo(LastForwardDigest, 0);
        return true;
    }

    /// <summary>Sends a cell towards the client from this relay.</summary>
    public void OriginateBackward(Span<byte> body)
    {
        body.Slice(1, 2).Clear();
        body.Slice(5, 4).Clear();
        _backwardDigest.AppendData(body);
        _backwardDigest.GetCurrentHash(LastBackwardDigest);
        LastBackwardDigest.AsSpan(0, 4).CopyTo(body[5..]);
        _backward.Apply(body);
    }

    /// <summary>Passes a cell from a later relay towards the client, adding this relay's layer.</summary>
    public void RelayBackward(Span<byte> body) => _backward.Apply(body);

    public void Dispose()
    {
        _forward.Dispose();
        _backward.Dispose();
        _forwardDigest.Dispose();
        _backwardDigest.Dispose();
    }
}
