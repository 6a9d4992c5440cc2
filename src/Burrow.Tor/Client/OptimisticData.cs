using Burrow.Tor.Streams;

namespace Burrow.Tor.Client;

/// <summary>
/// Bytes the application sends while its stream is still opening (tor-spec 6.2: a client may send
/// RELAY_DATA right after RELAY_BEGIN, before RELAY_CONNECTED; every exit since 0.2.3 accepts it).
/// The caller appends what its application has sent so far while
/// <see cref="TorClient.ConnectAsync(System.Net.IPEndPoint, string?, OptimisticData?, CancellationToken)"/>
/// runs; the client sends it as DATA right after BEGIN, and what is appended later at once, so a
/// request reaches the exit one circuit round trip earlier than after CONNECTED. An attempt the exit
/// refuses sends the same bytes again on the next circuit. When the stream is open the buffer is
/// sealed (everything appended has been written to it) and later appends return false: the caller then
/// writes to the connection itself.
/// </summary>
/// <remarks>Bounded: at most <see cref="Capacity"/> bytes are kept (the rest waits in the application's
/// socket until the stream is open). Thread-safe: one appender and the connecting client.</remarks>
public sealed class OptimisticData
{
    /// <summary>The default bound: 32 cells of data, more than a typical request's first flight.</summary>
    public const int DefaultCapacity = 32 * 498;

    private readonly object _lock = new();
    private readonly int _capacity;
    private byte[] _buffer = [];        // grown on demand: a flow whose client sends nothing early costs nothing
    private int _length;
    private bool _sealed;
    private TaskCompletionSource? _appended;

    public OptimisticData(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <summary>How many bytes it can hold.</summary>
    public int Capacity => _capacity;

    /// <summary>Bytes appended so far.</summary>
    public int Length
    {
        get { lock (_lock) return _length; }
    }

    /// <summary>Room left for <see cref="TryAppend"/>.</summary>
    public int Free
    {
        get { lock (_lock) return _sealed ? 0 : _capacity - _length; }
    }

    /// <summary>True once the stream is open and everything appended has been written to it.</summary>
    public bool IsSealed
    {
        get { lock (_lock) return _sealed; }
    }

    /// <summary>Appends all of <paramref name="data"/>, or nothing when it is sealed or the data does not fit.</summary>
    public bool TryAppend(ReadOnlySpan<byte> data)
    {
        TaskCompletionSource? wake;
        lock (_lock)
        {
            if (_sealed || data.Length > _capacity - _length)
                return false;
            if (_length + data.Length > _buffer.Length)
                Array.Resize(ref _buffer, Math.Min(_capacity, Math.Max(_length + data.Length, Math.Max(1024, _buffer.Length * 2))));
            data.CopyTo(_buffer.AsSpan(_length));
            _length += data.Length;
            wake = _appended;
            _appended = null;
        }
        wake?.TrySetResult();
        return true;
    }

    /// <summary>Writes the bytes to an opening stream as they come (all of them again on each attempt) until
    /// CONNECTED, then seals once everything appended is written. Ends quietly when the opening fails (the
    /// opening reports why).</summary>
    internal async Task WriteToAsync(TorStream stream, CancellationToken cancellationToken)
    {
        var sent = 0;
        while (true)
        {
            var chunk = From(sent);
            if (!chunk.IsEmpty)
            {
                await stream.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
                sent += chunk.Length;
                continue;
            }
            var connected = stream.ConnectedTask;
            if (connected.IsCompleted)
            {
                if (!connected.IsCompletedSuccessfully || TrySeal(sent))
                    return;
                continue;
            }
            await Task.WhenAny(connected, AppendedAfterAsync(sent)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The bytes from <paramref name="offset"/> on (a copy: the caller writes them while more may be appended).</summary>
    internal ReadOnlyMemory<byte> From(int offset)
    {
        lock (_lock)
            return offset >= _length ? ReadOnlyMemory<byte>.Empty : _buffer.AsSpan(offset, _length - offset).ToArray();
    }

    /// <summary>Completes when something is appended after <paramref name="offset"/> bytes (at once if already).</summary>
    internal Task AppendedAfterAsync(int offset)
    {
        lock (_lock)
        {
            if (_length > offset || _sealed)
                return Task.CompletedTask;
            _appended ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _appended.Task;
        }
    }

    /// <summary>Seals it and returns every byte appended: for a caller that opens the stream without optimistic
    /// data and writes these first.</summary>
    public ReadOnlyMemory<byte> Seal()
    {
        lock (_lock)
        {
            _sealed = true;
            return _buffer.AsSpan(0, _length).ToArray();
        }
    }

    /// <summary>Seals when exactly <paramref name="written"/> bytes were written; false when more came meanwhile.</summary>
    internal bool TrySeal(int written)
    {
        lock (_lock)
        {
            if (_length != written)
                return false;
            _sealed = true;
            return true;
        }
    }
}
