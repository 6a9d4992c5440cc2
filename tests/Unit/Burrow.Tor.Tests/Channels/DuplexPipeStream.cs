using System.IO.Pipelines;

namespace Burrow.Tor.Tests.Channels;

/// <summary>One end of an in-memory connection: reads what the other end writes and vice versa.</summary>
internal sealed class DuplexPipeStream : Stream
{
    private readonly Stream _in;
    private readonly Stream _out;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;

    private DuplexPipeStream(PipeReader reader, PipeWriter writer)
    {
        _reader = reader;
        _writer = writer;
        _in = reader.AsStream();
        _out = writer.AsStream();
    }

    /// <summary>Two connected ends. <paramref name="pauseThreshold"/> bounds unread bytes per direction
    /// (a writer waits beyond it), like a TCP window.</summary>
    public static (DuplexPipeStream Client, DuplexPipeStream Relay) CreatePair(long pauseThreshold = 256 * 1024)
    {
        var options = new PipeOptions(pauseWriterThreshold: pauseThreshold, resumeWriterThreshold: pauseThreshold / 2, useSynchronizationContext: false);
        var toRelay = new Pipe(options);
        var toClient = new Pipe(options);
        return (new DuplexPipeStream(toClient.Reader, toRelay.Writer), new DuplexPipeStream(toRelay.Reader, toClient.Writer));
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => _in.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _in.ReadAsync(buffer, cancellationToken);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _in.ReadAsync(buffer, offset, count, cancellationToken);
    public override void Write(byte[] buffer, int offset, int count) => _out.Write(buffer, offset, count);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _out.WriteAsync(buffer, cancellationToken);
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _out.WriteAsync(buffer, offset, count, cancellationToken);
    public override void Flush() => _out.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => _out.FlushAsync(cancellationToken);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _reader.Complete();
            _writer.Complete();
        }
        base.Dispose(disposing);
    }
}
