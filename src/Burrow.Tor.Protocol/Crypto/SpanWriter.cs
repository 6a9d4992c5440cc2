namespace Burrow.Tor.Crypto;

/// <summary>Appends byte strings to a fixed span; for building the concatenations the handshakes hash.</summary>
internal ref struct SpanWriter
{
    private readonly Span<byte> _buffer;

    public SpanWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        Position = 0;
    }

    public int Position { get; private set; }

    public readonly Span<byte> Written => _buffer[..Position];

    public void Write(scoped ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer[Position..]);
        Position += bytes.Length;
    }

    public void WriteUInt64BigEndian(ulong value)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(_buffer[Position..], value);
        Position += 8;
    }
}
