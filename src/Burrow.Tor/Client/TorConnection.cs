using Burrow.Tor.Circuits;
using Burrow.Tor.Streams;

namespace Burrow.Tor.Client;

/// <summary>An open stream to a destination and the circuit it runs on. Disposing closes the stream.</summary>
internal sealed class TorConnection : IAsyncDisposable
{
    internal TorConnection(TorStream stream, CircuitInfo circuit, Circuit underlying)
    {
        Stream = stream;
        Circuit = circuit;
        UnderlyingCircuit = underlying;
    }

    /// <summary>The circuit itself (tests compare circuits of isolated streams).</summary>
    internal Circuit UnderlyingCircuit { get; }

    public TorStream Stream { get; }

    public CircuitInfo Circuit { get; }

    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}
