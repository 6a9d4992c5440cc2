using Burrow.Tor.Cells;
using Burrow.Tor.Channels;

namespace Burrow.Tor.Circuits;

/// <summary>
/// What a circuit needs of a stream attached to it (implemented by the stream layer above). The circuit
/// routes the exit's stream cells to it on the channel's reader loop; a false answer means the exit broke
/// the protocol, which the circuit turns into its own violation. The circuit never knows the stream's type.
/// </summary>
internal interface ICircuitStream : IAsyncDisposable
{
    ushort StreamId { get; }

    /// <summary>The hop the stream ends at.</summary>
    int Hop { get; }

    /// <summary>DATA cells the stream may still send before the exit's next SENDME.</summary>
    CreditWindow PackageWindow { get; }

    /// <summary>Completes when the exit answered CONNECTED; faults when opening failed.</summary>
    Task Connected { get; }

    /// <summary>RELAY_CONNECTED; false when the stream was already connected or failed.</summary>
    bool OnConnected(ConnectedMessage message);

    /// <summary>RELAY_DATA; false when it exceeds the stream's deliver window.</summary>
    bool OnData(ReadOnlySpan<byte> data);

    /// <summary>A stream SENDME; false when it would raise the package window above its start.</summary>
    bool OnSendme();

    void OnEnd(EndMessage end);

    /// <summary>RELAY_XOFF on a congestion-controlled circuit: stop sending DATA until XON.</summary>
    void OnXoff();

    /// <summary>RELAY_XON on a congestion-controlled circuit: send again, at most at the advisory rate.</summary>
    void OnXon(XonMessage xon);

    void OnCircuitClosed(CircuitException reason);

    /// <summary>The exit broke the protocol on this stream only (e.g. DATA before CONNECTED): the circuit has
    /// already taken the stream out of its table and sent END; the stream fails with <paramref name="reason"/>.</summary>
    void OnProtocolViolation(CircuitException reason) => OnCircuitClosed(reason);

    /// <summary>A circuit or channel failure seen while sending, as the stream's own error.</summary>
    Exception WriteError(Exception cause);
}
