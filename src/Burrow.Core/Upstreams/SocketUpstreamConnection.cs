using System.Net.Sockets;

namespace Burrow.Core.Upstreams;

/// <summary>An upstream stream that is a plain TCP socket (a SOCKS connection after its handshake).</summary>
internal sealed class SocketUpstreamConnection : UpstreamConnection
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    public SocketUpstreamConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public override Stream Stream => _stream;

    /// <summary>The address in the SOCKS reply (BND.ADDR): for Tor's RESOLVE, the answer.</summary>
    public System.Net.IPAddress? BoundAddress { get; init; }

    public override ValueTask CompleteWritesAsync()
    {
        try { _socket.Shutdown(SocketShutdown.Send); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        return ValueTask.CompletedTask;
    }

    public override void Abort()
    {
        try { _socket.LingerState = new LingerOption(true, 0); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        _socket.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        _stream.Dispose();
        return ValueTask.CompletedTask;
    }
}
