// The HSDir hash ring (rend-spec-v3 2.2.3 [WHERE-HSDESC], 2.2.4.1 [CLIENTFETCH], 2.3 [PUB-SHAREDRANDOM]):
//   hs_relay_index(node) = H("node-idx" | ed25519_id | srv | INT_8(period_num) | INT_8(period_length))
//   hs_service_index(r)  = H("store-at-idx" | blinded_key | INT_8(r) | INT_8(period_length) | INT_8(period_num))
// Clients fetch from the first hsdir_spread_fetch relays after each replica's index, skipping relays an
// earlier replica already chose.
using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;

namespace Burrow.Tor.Protocol.Onion;

/// <summary>The ring of HSDir relays for one time period and shared random value.</summary>
internal sealed class HsDirRing
{
    public const int DefaultReplicas = 2;
    public const int DefaultSpreadFetch = 3;

    private readonly (byte[] Index, Relay Relay)[] _ring;

    private HsDirRing((byte[] Index, Relay Relay)[] ring, TimePeriod period, byte[] sharedRandom)
    {
        _ring = ring;
        Period = period;
        SharedRandom = sharedRandom;
    }

    public TimePeriod Period { get; }

    public byte[] SharedRandom { get; }

    public int Count => _ring.Length;

    /// <summary>
    /// The ring of the relays flagged HSDir that have an Ed25519 identity, for <paramref name="period"/>
    /// and the 32-byte shared random value <paramref name="sharedRandom"/>.
    /// </summary>
    public static HsDirRing Build(IEnumerable<Relay> relays, TimePeriod period, ReadOnlySpan<byte> sharedRandom)
    {
        if (sharedRandom.Length != 32)
            throw new ArgumentException($"a shared random value is 32 bytes, got {sharedRandom.Length}", nameof(sharedRandom));
        var srv = sharedRandom.ToArray();
        var num = OnionHash.Int8(period.Number);
        var len = OnionHash.Int8(period.LengthMinutes);
        var nodeIdx = OnionHash.Ascii("node-idx");
        var ring = relays
            .Where(r => r.HasFlag(RelayFlags.HSDir) && r.Ed25519Identity != null)
            .Select(r => (Index: OnionHash.H(nodeIdx, r.Ed25519Identity!.Value.ToArray(), srv, num, len), Relay: r))
            .ToArray();
        Array.Sort(ring, (a, b) => a.Index.AsSpan().SequenceCompareTo(b.Index));
        return new HsDirRing(ring, period, srv);
    }

    /// <summary>hs_service_index(replica) for a blinded key.</summary>
    public static byte[] ServiceIndex(ReadOnlySpan<byte> blindedKey, int replica, TimePeriod period) =>
        OnionHash.H(OnionHash.Ascii("store-at-idx"), blindedKey.ToArray(), OnionHash.Int8((ulong)replica),
            OnionHash.Int8(period.LengthMinutes), OnionHash.Int8(period.Number));

    /// <summary>
    /// The relays a client may fetch the descriptor of <paramref name="blindedKey"/> from: per replica
    /// (1..<paramref name="replicas"/>) the first <paramref name="spread"/> relays at or after its index,
    /// replica 1's first. Fewer when the ring is small.
    /// </summary>
    public IReadOnlyList<Relay> ResponsibleForFetch(ReadOnlySpan<byte> blindedKey, int replicas = DefaultReplicas, int spread = DefaultSpreadFetch)
    {
        var chosen = new List<Relay>();
        if (_ring.Length == 0)
            return chosen;
        for (var replica = 1; replica <= replicas; replica++)
        {
            var index = ServiceIndex(blindedKey, replica, Period);
            var start = FirstAtOrAfter(index);
            var taken = 0;
            for (var i = 0; i < _ring.Length && taken < spread; i++)
            {
                var relay = _ring[(start + i) % _ring.Length].Relay;
                if (chosen.Contains(relay))
                    continue;
                chosen.Add(relay);
                taken++;
            }
        }
        return chosen;
    }

    /// <summary>The shared random value a consensus gives, or the "disaster" value when it has none (2.3.1).</summary>
    public static byte[] SharedRandomOrDisaster(byte[]? value, TimePeriod period) =>
        value ?? OnionHash.H(OnionHash.Ascii("shared-random-disaster"), OnionHash.Int8(period.LengthMinutes), OnionHash.Int8(period.Number));

    private int FirstAtOrAfter(byte[] index)
    {
        int lo = 0, hi = _ring.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_ring[mid].Index.AsSpan().SequenceCompareTo(index) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo % _ring.Length;
    }
}
