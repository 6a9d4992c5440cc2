using System.Net;
using System.Net.Sockets;
using Burrow.Core.Flows;
using Burrow.Core.Transparent;
using Burrow.Core.Upstreams;

namespace Burrow.Core.Tests.Transparent;

/// <summary>How the copy loop names the end of a flow when the upstream stops taking data.</summary>
public class DuplexCopyTests
{
    [Fact]
    public async Task ExitThatEndsTheStreamNormallyWhileTheClientStillSendsIsAClose()
    {
        // The exit sent END (reason DONE): reads see EOF, writes fail. The client is still sending.
        var (client, peer) = await SocketPair();
        using var _ = client;
        using var __ = peer;
        await peer.SendAsync("more request bytes"u8.ToArray());
        var upstream = new FakeUpstream(new EndedStream(new IOException("Stream 3 was closed by the exit (REASON_DONE).")));
        var flow = new FlowTable("t").Add(new IPEndPoint(IPAddress.Loopback, 1));

        var end = await DuplexCopy.RunAsync(client, upstream, flow, TimeSpan.FromMinutes(1), TimeProvider.System, CancellationToken.None);

        Assert.Equal(FlowEndKind.ClosedByExit, end.Kind);
        Assert.Equal(FlowState.Closed, end.State);
        Assert.True(end.Graceful);
        Assert.Equal("closed by the exit", end.Reason);
    }

    [Fact]
    public async Task UpstreamThatFailsBothWaysIsStillAnUpstreamError()
    {
        var (client, peer) = await SocketPair();
        using var _ = client;
        using var __ = peer;
        await peer.SendAsync("request"u8.ToArray());
        var upstream = new FakeUpstream(new BrokenStream(new IOException("circuit destroyed")));
        var flow = new FlowTable("t").Add(new IPEndPoint(IPAddress.Loopback, 1));

        var end = await DuplexCopy.RunAsync(client, upstream, flow, TimeSpan.FromMinutes(1), TimeProvider.System, CancellationToken.None);

        Assert.Equal(FlowEndKind.UpstreamError, end.Kind);
        Assert.Equal("upstream error", end.Reason);
        Assert.Contains("circuit destroyed", end.Error);
    }

    private static async Task<(Socket Client, Socket Peer)> SocketPair()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await peer.ConnectAsync(listener.LocalEndPoint!);
        var client = await listener.AcceptAsync();
        return (client, peer);
    }

    private sealed class FakeUpstream(Stream stream) : UpstreamConnection
    {
        public override Stream Stream => stream;
        public override ValueTask CompleteWritesAsync() => ValueTask.CompletedTask;
        public override void Abort() { }
        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>A stream the far end ended normally: reads return 0, writes fail.</summary>
    private class EndedStream(IOException writeError) : Stream
    {
        protected IOException Error => writeError;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override int Read(byte[] buffer, int offset, int count) => 0;
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ReadCore();
        protected virtual ValueTask<int> ReadCore() => ValueTask.FromResult(0);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw writeError;
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromException(writeError);
    }

    /// <summary>A stream that failed: reads and writes throw.</summary>
    private sealed class BrokenStream(IOException error) : EndedStream(error)
    {
        protected override ValueTask<int> ReadCore() => ValueTask.FromException<int>(Error);
    }
}
