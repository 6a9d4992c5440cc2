using Burrow.Tor.Cells;

namespace Burrow.Tor.Circuits;

/// <summary>What a stream uses of the circuit it runs on: sending its DATA and SENDMEs, and letting go.
/// Defined here so the dependency points one way: streams know circuits, circuits know only
/// <see cref="ICircuitStream"/>.</summary>
internal interface ICircuitStreamHost
{
    /// <summary>Sends one DATA cell (at most 498 bytes), waiting for the stream and circuit windows and
    /// queue room. Failures are the stream's errors (<see cref="ICircuitStream.WriteError"/>).</summary>
    ValueTask SendDataAsync(ICircuitStream stream, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>A stream-level SENDME; never waits.</summary>
    void SendStreamSendme(ICircuitStream stream);

    /// <summary>Stream bytes a stream buffers before it sends XOFF, when the circuit negotiated congestion
    /// control (proposal 324 section 4: XON/XOFF instead of stream windows); 0 on fixed-window circuits.</summary>
    int XoffLimit { get; }

    /// <summary>A stream control message (XON, XOFF) that never waits; dropped once the circuit is closed.</summary>
    void SendStreamControl(ICircuitStream stream, RelayMessage message);

    /// <summary>The stream is done locally: send END and tolerate up to <paramref name="dataAllowance"/>
    /// DATA cells that cross it.</summary>
    void OnStreamDisposed(ICircuitStream stream, int dataAllowance);

    /// <summary>The circuit's (and its channel's) state in one line, for a stream's state dump.</summary>
    string DescribeState();
}
