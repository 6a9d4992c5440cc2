using Microsoft.Extensions.Logging;

namespace Burrow.Core.Recovery.MacOS;

/// <summary>
/// Reads pflog0 through a BPF device on a background thread and feeds each outbound SYN's
/// pre-NAT destination into a <see cref="PflogFlowCache"/>. pf logs nothing unless a BPF listener
/// is attached, so it must run before redirected flows start. Mechanism read from xnu, not yet
/// run on a real Mac.
/// </summary>
internal sealed class PflogObserver : IAsyncDisposable, IDisposable
{
    private readonly IBpfCapture _capture;
    private readonly PflogFlowCache _cache;
    private readonly ILogger _logger;
    private readonly string _interface;
    private readonly CancellationTokenSource _stop = new();
    private Task _completion = Task.CompletedTask;
    private long _records;
    private long _syns;
    private long _malformedBuffers;
    private volatile string? _faultReason;
    private int _state; // 0 new, 1 running, 2 disposed

    public PflogObserver(IBpfCapture capture, PflogFlowCache cache, ILogger logger, string interfaceName = "pflog0")
    {
        _capture = capture ?? throw new ArgumentNullException(nameof(capture));
        _cache = cache ?? throw new ArgumentNullException(nameof(cache));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _interface = interfaceName;
    }

    public PflogFlowCache Cache => _cache;

    /// <summary>Ends when the read loop ends (stopped or failed); never faults.</summary>
    public Task Completion => _completion;

    /// <summary>Why the read loop stopped on its own, or null while it runs (or after a normal stop).</summary>
    public string? FaultReason => _faultReason;

    public long RecordsSeen => Interlocked.Read(ref _records);

    public long SynsRecorded => Interlocked.Read(ref _syns);

    public long MalformedBuffers => Interlocked.Read(ref _malformedBuffers);

    public void Start()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The pflog observer was already started or disposed.");
        }

        // Reads block in the kernel: a dedicated thread, not a pool thread.
        _completion = Task.Factory.StartNew(ReadLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        _logger.ObserverStarted(_interface);
    }

    /// <summary>Parses one BPF read buffer and records its SYNs; returns how many were recorded.</summary>
    public int ProcessBuffer(ReadOnlySpan<byte> buffer)
    {
        var recorded = 0;
        var reader = new BpfRecordReader(buffer);
        while (reader.TryRead(out var record))
        {
            Interlocked.Increment(ref _records);
            if (PflogPacket.TryParseSyn(record.Packet, out var syn) == PflogParseResult.Syn)
            {
                _cache.Add(syn.Key, syn.OriginalDestination);
                _logger.SynRecorded(syn.Key, syn.OriginalDestination);
                recorded++;
            }
        }

        if (reader.Malformed)
        {
            Interlocked.Increment(ref _malformedBuffers);
            _logger.MalformedBuffer();
        }

        Interlocked.Add(ref _syns, recorded);
        return recorded;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        _stop.Cancel();

        // The BPF read timeout bounds this wait.
        await _completion.ConfigureAwait(false);
        _capture.Dispose();
        _stop.Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        _stop.Cancel();

        // No waiting here: the descriptor is a SafeHandle, so a read in progress keeps it open
        // until it returns, and the loop then sees the cancellation.
        _capture.Dispose();
    }

    private void ReadLoop()
    {
        var token = _stop.Token;
        try
        {
            var buffer = new byte[_capture.BufferLength];
            while (!token.IsCancellationRequested)
            {
                var n = _capture.Read(buffer);
                if (n > 0 && !token.IsCancellationRequested)
                {
                    ProcessBuffer(buffer.AsSpan(0, Math.Min(n, buffer.Length)));
                }
            }
        }
        catch (Exception e) when (token.IsCancellationRequested && e is ObjectDisposedException or MacOSRecoveryException)
        {
            // Stopping: the descriptor was closed under the read.
        }
        catch (Exception e)
        {
            _faultReason = e.Message;
            _logger.ObserverFailed(_interface, e.Message);
        }
    }
}
