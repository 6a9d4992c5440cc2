// Stream IDs on a circuit (tor-spec 6.2: nonzero, chosen by the client) and half-closed streams
// (tor-spec 6.3: after our END the exit may still send what it sent before seeing it).
using System.Security.Cryptography;
using Burrow.Tor.Cells;

namespace Burrow.Tor.Circuits;

/// <summary>
/// The streams of one circuit: open streams, resolve requests waiting for RESOLVED, and streams closed
/// locally whose late cells are still tolerated (each with the DATA cells it may still receive). Not
/// thread-safe: the circuit uses it under its lock.
/// </summary>
internal sealed class StreamMap
{
    /// <summary>Streams closed locally that are remembered (tor-spec 6.3); the oldest is forgotten first.</summary>
    public const int MaxHalfClosed = 1024;

    private readonly Dictionary<ushort, ICircuitStream> _open = new();
    private readonly Dictionary<ushort, TaskCompletionSource<RelayMessage>> _resolves = new();
    private readonly Dictionary<ushort, int> _halfClosed = new();
    private readonly Queue<ushort> _halfClosedOrder = new();
    private ushort _nextId;

    public StreamMap()
    {
        Span<byte> r = stackalloc byte[2];
        RandomNumberGenerator.Fill(r);
        _nextId = (ushort)Math.Max(1, (r[0] << 8) | r[1]);
    }

    public int OpenCount => _open.Count;

    /// <summary>A fresh stream ID: nonzero and not used by an open, resolving or half-closed stream; null
    /// when all are in use.</summary>
    public ushort? AllocateId()
    {
        for (var i = 0; i < ushort.MaxValue; i++)
        {
            var id = _nextId;
            _nextId = (ushort)(id == ushort.MaxValue ? 1 : id + 1);
            if (!_open.ContainsKey(id) && !_resolves.ContainsKey(id) && !_halfClosed.ContainsKey(id))
                return id;
        }
        return null;
    }

    public void AddOpen(ICircuitStream stream) => _open.Add(stream.StreamId, stream);

    public void AddResolve(ushort id, TaskCompletionSource<RelayMessage> answer) => _resolves.Add(id, answer);

    public bool TryGetOpen(ushort id, out ICircuitStream stream) => _open.TryGetValue(id, out stream!);

    public bool TryGetResolve(ushort id, out TaskCompletionSource<RelayMessage> answer) => _resolves.TryGetValue(id, out answer!);

    public bool RemoveOpen(ushort id) => _open.Remove(id);

    /// <summary>Removes <paramref name="stream"/> if it is the one registered under its ID.</summary>
    public bool RemoveOpen(ICircuitStream stream) =>
        _open.TryGetValue(stream.StreamId, out var registered) && registered == stream && _open.Remove(stream.StreamId);

    public bool RemoveResolve(ushort id) => _resolves.Remove(id);

    public bool IsHalfClosed(ushort id) => _halfClosed.ContainsKey(id);

    /// <summary>Remembers a stream we closed: up to <paramref name="dataAllowance"/> DATA cells (its remaining
    /// window) that crossed our END are accepted.</summary>
    public void AddHalfClosed(ushort id, int dataAllowance)
    {
        if (_halfClosed.Count >= MaxHalfClosed && _halfClosedOrder.TryDequeue(out var oldest))
            _halfClosed.Remove(oldest);
        _halfClosed[id] = dataAllowance;
        _halfClosedOrder.Enqueue(id);
    }

    /// <summary>Counts one DATA cell against a half-closed stream's allowance: null when the stream is not
    /// half-closed, false when the allowance is used up.</summary>
    public bool? TakeHalfClosedData(ushort id)
    {
        if (!_halfClosed.TryGetValue(id, out var allowance))
            return null;
        if (allowance <= 0)
            return false;
        _halfClosed[id] = allowance - 1;
        return true;
    }

    /// <summary>The exit's END for a half-closed stream: nothing more comes for it.</summary>
    public void EndHalfClosed(ushort id) => _halfClosed.Remove(id);

    /// <summary>Empties the map (the circuit closed), returning the open streams and waiting resolves.</summary>
    public (List<ICircuitStream> Streams, List<TaskCompletionSource<RelayMessage>> Resolves) Clear()
    {
        var result = (_open.Values.ToList(), _resolves.Values.ToList());
        _open.Clear();
        _resolves.Clear();
        _halfClosed.Clear();
        _halfClosedOrder.Clear();
        return result;
    }
}
