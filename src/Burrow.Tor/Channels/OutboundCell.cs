using Burrow.Tor.Cells;

namespace Burrow.Tor.Channels;

/// <summary>
/// A cell waiting for the channel writer: a fixed-length body in a pooled buffer (the writer returns
/// it to <see cref="CellBuffers"/>). Relay cells are queued in plaintext and
/// handed to their circuit's <see cref="ICircuitCellHandler.PrepareOutbound"/> at the moment they are
/// written, so the onion encryption always happens in wire order.
/// </summary>
internal readonly struct OutboundCell
{
    public OutboundCell(uint circId, ChannelCommand command, byte[] body, ICircuitCellHandler? handler, byte hop, OutboundCellFlags flags)
    {
        CircId = circId;
        Command = command;
        Body = body;
        Handler = handler;
        Hop = hop;
        Flags = flags;
    }

    public uint CircId { get; }
    public ChannelCommand Command { get; }

    /// <summary>At least <see cref="ChannelFraming.PayloadLength"/> bytes; the first 509 are the body.</summary>
    public byte[] Body { get; }

    /// <summary>The circuit that encrypts a relay cell; null for cells sent as they are (CREATE2, DESTROY).</summary>
    public ICircuitCellHandler? Handler { get; }

    /// <summary>The hop a relay cell is addressed to (0 = first).</summary>
    public byte Hop { get; }

    public OutboundCellFlags Flags { get; }
}
