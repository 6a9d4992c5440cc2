// Relay cell crypto "tor1" for a whole circuit, client side (tor-spec 5.5.2.1 "Routing from the
// Origin", 5.5.4 "Routing to the Origin", 6.1 recognized/digest).
namespace Burrow.Tor.Crypto;

/// <summary>
/// The onion of per-hop tor1 states of one client circuit. Hop indexes are 0-based (0 = guard).
/// Works in place on 509-byte relay cell bodies and allocates nothing per cell. Not thread-safe.
/// </summary>
/// <remarks>
/// Benchmark entry point: <see cref="AddHop"/> three times, then per cell
/// <see cref="EncryptOriginated"/>(body, 2) outbound and <see cref="TryDecryptInbound"/> inbound.
/// Valid inbound cells come from a second circuit built with
/// <see cref="CircuitKeys.WithDirectionsSwapped"/> keys: its <c>EncryptOriginated(body, 2)</c> is
/// what the exit would send back.
/// </remarks>
internal sealed class Tor1CircuitCrypto : IDisposable
{
    /// <summary>Longer paths than this are refused (onion-service circuits stay well under it).</summary>
    public const int MaxHops = 16;

    private readonly List<Tor1HopCrypto> _hops = new(4);

    public int HopCount => _hops.Count;

    /// <summary>Adds the next hop from the keys its handshake produced.</summary>
    public void AddHop(CircuitKeys keys)
    {
        if (_hops.Count >= MaxHops)
            throw new InvalidOperationException($"a circuit has at most {MaxHops} hops");
        _hops.Add(new Tor1HopCrypto(keys));
    }

    /// <summary>Drops the hops after the first <paramref name="hopCount"/> (after a TRUNCATED, or a failed extend).</summary>
    public void TruncateTo(int hopCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hopCount);
        for (var i = _hops.Count - 1; i >= hopCount; i--)
        {
            _hops[i].Dispose();
            _hops.RemoveAt(i);
        }
    }

    /// <summary>
    /// Turns a plaintext relay body into what goes on the wire to hop <paramref name="hop"/>: sets
    /// 'recognized' to zero and the digest from that hop's forward digest, then applies the forward
    /// layers of hops <paramref name="hop"/> down to 0.
    /// </summary>
    public void EncryptOriginated(Span<byte> body, int hop)
    {
        CheckBody(body);
        CheckHop(hop);
        _hops[hop].SealForward(body);
        for (var i = hop; i >= 0; i--)
            _hops[i].EncryptForward(body);
    }

    /// <summary>
    /// Removes layers from an inbound body, hop 0 first, until one hop recognizes it. Returns that
    /// hop in <paramref name="hop"/>, with the body now plaintext. False means no hop recognized it:
    /// a protocol violation that must close the circuit (the keystreams have advanced past it).
    /// </summary>
    public bool TryDecryptInbound(Span<byte> body, out int hop)
    {
        CheckBody(body);
        for (var i = 0; i < _hops.Count; i++)
        {
            _hops[i].DecryptBackward(body);
            if (_hops[i].TryRecognizeBackward(body))
            {
                hop = i;
                return true;
            }
        }
        hop = -1;
        return false;
    }

    /// <summary>The 20-byte running digest after the last cell originated to <paramref name="hop"/>.</summary>
    public ReadOnlySpan<byte> LastOriginatedDigest(int hop)
    {
        CheckHop(hop);
        return _hops[hop].LastOriginatedDigest;
    }

    /// <summary>The 20-byte running digest after the last cell recognized from <paramref name="hop"/>.</summary>
    public ReadOnlySpan<byte> LastReceivedDigest(int hop)
    {
        CheckHop(hop);
        return _hops[hop].LastReceivedDigest;
    }

    public void Dispose() => TruncateTo(0);

    private void CheckHop(int hop)
    {
        if ((uint)hop >= (uint)_hops.Count)
            throw new ArgumentOutOfRangeException(nameof(hop), hop, $"the circuit has {_hops.Count} hops");
    }

    private static void CheckBody(Span<byte> body)
    {
        if (body.Length != RelayCellLayout.BodyLength)
            throw new ArgumentException($"a relay cell body is {RelayCellLayout.BodyLength} bytes, got {body.Length}", nameof(body));
    }
}
