namespace Burrow.Tor.Client;

/// <summary>The client's per-circuit bookkeeping that the circuit itself does not keep: its public
/// number and the bytes its connections moved. Kept beside the circuit (a weak table), gone with it.</summary>
internal sealed class CircuitCounters(long id)
{
    private long _sent;
    private long _received;

    public long Id { get; } = id;

    public long BytesSent => Interlocked.Read(ref _sent);

    public long BytesReceived => Interlocked.Read(ref _received);

    public void Sent(int n) => Interlocked.Add(ref _sent, n);

    public void Received(int n) => Interlocked.Add(ref _received, n);
}
