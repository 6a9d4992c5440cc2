// Circuit IDs on a channel (tor-spec 5.1.1: the initiator of a link-protocol 4+ connection sets the
// high bit; IDs are chosen at random, giving up after 64 attempts as C tor does).
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Burrow.Tor.Channels;

/// <summary>
/// The circuits of one channel by circuit ID. Read by the channel's reader loop for every cell
/// (lock-free), written when circuits are created and closed.
/// </summary>
internal sealed class CircuitMap
{
    private const int CircIdAttempts = 64;

    private readonly ConcurrentDictionary<uint, ICircuitCellHandler> _circuits = new();

    public int Count => _circuits.Count;

    /// <summary>Adds <paramref name="handler"/> under a fresh random ID with the high bit set; false
    /// when <see cref="CircIdAttempts"/> random IDs were all taken.</summary>
    public bool TryAdd(ICircuitCellHandler handler, out uint circId)
    {
        Span<byte> random = stackalloc byte[4];
        for (var attempt = 0; attempt < CircIdAttempts; attempt++)
        {
            RandomNumberGenerator.Fill(random);
            circId = BinaryPrimitives.ReadUInt32BigEndian(random) | 0x8000_0000u;
            if (_circuits.TryAdd(circId, handler))
                return true;
        }
        circId = 0;
        return false;
    }

    public bool TryGet(uint circId, out ICircuitCellHandler handler) => _circuits.TryGetValue(circId, out handler!);

    /// <summary>Removes the entry only if it is still <paramref name="handler"/>'s.</summary>
    public void Remove(uint circId, ICircuitCellHandler handler) =>
        _circuits.TryRemove(new KeyValuePair<uint, ICircuitCellHandler>(circId, handler));

    public void Remove(uint circId) => _circuits.TryRemove(circId, out _);

    /// <summary>Empties the map, returning what it held (the channel is closing).</summary>
    public List<(uint CircId, ICircuitCellHandler Handler)> TakeAll()
    {
        var all = new List<(uint, ICircuitCellHandler)>();
        foreach (var (id, handler) in _circuits)
        {
            if (_circuits.TryRemove(id, out _))
                all.Add((id, handler));
        }
        return all;
    }
}
