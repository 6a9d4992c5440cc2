using Burrow.Tor.Cells;

namespace Burrow.Tor.Channels;

/// <summary>
/// What a channel needs from a circuit (the circuit layer implements it; the channel never reaches up).
/// The channel calls <see cref="OnCell"/> from its reader loop and <see cref="PrepareOutbound"/> from its
/// writer loop, each one cell at a time.
/// </summary>
internal interface ICircuitCellHandler
{
    /// <summary>A cell for this circuit. <paramref name="body"/> is the channel's receive buffer: it may be
    /// modified in place (decrypted) and is only valid during the call. Must not throw; a bad cell closes
    /// the circuit, not the channel.</summary>
    void OnCell(ChannelCommand command, Span<byte> body);

    /// <summary>Encrypts a queued relay cell in place (the writer's copy) just before it is written and says
    /// whether it goes as RELAY or RELAY_EARLY. False drops it (the circuit has closed).</summary>
    bool PrepareOutbound(Span<byte> body, in OutboundCell cell, out ChannelCommand command);

    /// <summary>The channel closed; the circuit fails with <paramref name="reason"/>.</summary>
    void OnChannelClosed(ChannelException reason);
}
