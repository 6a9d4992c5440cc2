using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace Burrow.Core.Transparent;

/// <summary>One reusable accept: <see cref="AcceptAsync"/> completes with the <see cref="SocketError"/> instead of
/// throwing, so a failing accept (out of descriptors) allocates no exception. One accept at a time.</summary>
internal sealed class AcceptOperation : SocketAsyncEventArgs, IValueTaskSource<SocketError>
{
    private ManualResetValueTaskSourceCore<SocketError> _source = new() { RunContinuationsAsynchronously = true };

    public AcceptOperation()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    /// <summary>Starts an accept on <paramref name="listening"/>; throws ObjectDisposedException once it is closed.</summary>
    public ValueTask<SocketError> AcceptAsync(Socket listening)
    {
        _source.Reset();
        AcceptSocket = null;
        if (!listening.AcceptAsync(this))
            return new ValueTask<SocketError>(SocketError);
        return new ValueTask<SocketError>(this, _source.Version);
    }

    /// <summary>The accepted socket after a successful accept.</summary>
    public Socket TakeSocket()
    {
        var socket = AcceptSocket ?? throw new InvalidOperationException("no accepted socket");
        AcceptSocket = null;
        return socket;
    }

    /// <summary>The error in words, without making an exception (see <see cref="TransparentListener"/>).</summary>
    public static string Describe(SocketError error) => error switch
    {
        SocketError.TooManyOpenSockets => "too many open files (the process or system descriptor limit is reached)",
        SocketError.NoBufferSpaceAvailable => "no buffer space available",
        _ => error.ToString(),
    };

    protected override void OnCompleted(SocketAsyncEventArgs e) => _source.SetResult(e.SocketError);

    SocketError IValueTaskSource<SocketError>.GetResult(short token) => _source.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<SocketError>.GetStatus(short token) => _source.GetStatus(token);

    void IValueTaskSource<SocketError>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _source.OnCompleted(continuation, state, token, flags);
}
