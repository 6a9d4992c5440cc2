using Burrow.Tor.Circuits;
using Burrow.Tor.CircMgr;
using Burrow.Tor.Streams;

namespace Burrow.Tor.Client;

/// <summary>
/// A connection through Tor to a destination, as a <see cref="Stream"/>: what <see cref="TorClient.ConnectAsync(System.Net.IPEndPoint, string?, CancellationToken)"/>
/// returns. Reads and writes go to a Tor stream on an exit circuit; <see cref="ExitDescription"/> and
/// <see cref="CircuitDescription"/> say which relays carry it. Disposing ends the stream (RELAY_END).
/// </summary>
/// <remarks>
/// Tor streams have no half-close. A caller with nothing more to send either keeps the connection
/// open or calls <see cref="EndWrites"/>, which is what C tor does when an application closes its side:
/// END goes out after the data already written, data already received is still read, then reads
/// return 0. Failures surface as <see cref="IOException"/>s. One reader and one writer may work at once.
/// </remarks>
public sealed class TorConnection : Stream
{
    private readonly TorStream _stream;
    private readonly CircuitCounters? _counters;

    internal TorConnection(TorStream stream, CircuitInfo relays, Circuit underlying, CircuitCounters? counters = null)
    {
        _stream = stream;
        Relays = relays;
        UnderlyingCircuit = underlying;
        _counters = counters;
    }

    /// <summary>The client's number for the circuit carrying this connection (<see cref="TorCircuitInfo.Id"/>), or 0.</summary>
    public long CircuitId => _counters?.Id ?? 0;

    /// <summary>The Tor stream itself.</summary>
    internal TorStream Stream => _stream;

    /// <summary>The relays of the circuit (tests, status).</summary>
    internal CircuitInfo Relays { get; }

    /// <summary>The circuit itself (tests compare circuits of isolated streams).</summary>
    internal Circuit UnderlyingCircuit { get; }

    /// <summary>The exit relay as "nickname (A1B2C3D4..)": how flows show their exit.</summary>
    public string ExitDescription => Relays.ExitDescription;

    /// <summary>The exit relay's nickname.</summary>
    public string ExitNickname => Relays.ExitNickname;

    /// <summary>The exit relay's RSA identity fingerprint (40 hex digits).</summary>
    public string ExitFingerprint => Relays.ExitFingerprint;

    /// <summary>The circuit's relays, guard first, as "guard (A1B2..) -> middle (C3D4..) -> exit (E5F6..)".</summary>
    public string CircuitDescription => Relays.ToString();

    /// <summary>Nothing more will be written: END goes out after the data already written (there is no
    /// half-close in Tor). Data already received can still be read. Safe to call more than once.</summary>
    public void EndWrites() => _stream.EndLocally();

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException("A Tor connection has no length.");

    public override long Position
    {
        get => throw new NotSupportedException("A Tor connection has no position.");
        set => throw new NotSupportedException("A Tor connection has no position.");
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        CountRead(await _stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => CountRead(_stream.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => CountRead(_stream.Read(buffer));

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _stream.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        _counters?.Sent(buffer.Length);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        _stream.Write(buffer, offset, count);
        _counters?.Sent(count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _stream.Write(buffer);
        _counters?.Sent(buffer.Length);
    }

    private int CountRead(int n)
    {
        _counters?.Received(n);
        return n;
    }

    /// <summary>Nothing to do: data is handed to the circuit as it is written.</summary>
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => _stream.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A Tor connection cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("A Tor connection has no length.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _stream.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        _stream.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    public override string ToString() => $"Tor connection via {ExitDescription}";
}
