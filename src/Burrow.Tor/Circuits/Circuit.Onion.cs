// Onion-service use of a circuit (rend-spec-v3 3.2, 4.1, 4.2): sending ESTABLISH_RENDEZVOUS / INTRODUCE1 to
// the last hop, hearing RENDEZVOUS_ESTABLISHED / INTRODUCE_ACK / RENDEZVOUS2 from it, and adding the
// virtual hop to the service once RENDEZVOUS2 completed the handshake.
using Burrow.Tor.Cells;
using Burrow.Tor.Channels;
using Burrow.Tor.Crypto;

namespace Burrow.Tor.Circuits;

/// <summary>Hears a relay message this client otherwise drops (onion-service commands); reader loop, keep it short.</summary>
internal delegate void OnionCellHandler(int hop, RelayCommand command, ReadOnlySpan<byte> data);

internal sealed partial class Circuit
{
    private OnionCellHandler? _onionHandler;

    /// <summary>Set before sending an onion-service command; null to stop hearing them.</summary>
    internal OnionCellHandler? OnionCells
    {
        get => Volatile.Read(ref _onionHandler);
        set => Volatile.Write(ref _onionHandler, value);
    }

    /// <summary>Sends a relay message with stream ID 0 to the last hop (ESTABLISH_RENDEZVOUS, INTRODUCE1).</summary>
    internal async Task SendOnionCellAsync(RelayCommand command, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ThrowIfNotBuilt();
        ThrowIfClosed();
        await SendRelayAsync(new UnknownRelayMessage(command, data), 0, LastHop, OutboundCellFlags.None, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds the onion service as the last hop (Df | Db | Kf | Kb of hs-ntor, rend-spec-v3 4.2.1): streams
    /// opened afterwards end at the service.
    /// </summary>
    internal void AddVirtualHop(ReadOnlySpan<byte> keyMaterial)
    {
        ThrowIfNotBuilt();
        var keys = CircuitKeys.ForOnionService(keyMaterial);
        lock (_lock)
        {
            ThrowIfClosed();
            _crypto.AddHop(keys);
        }
        keys.Clear();
    }

    private bool TryOnionCell(int hop, RelayCommand command, ReadOnlySpan<byte> data)
    {
        if (Volatile.Read(ref _onionHandler) is not { } handler)
            return false;
        handler(hop, command, data);
        return true;
    }
}
