using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Burrow.Tor.Cells;

/// <summary>The plaintext body of a RELAY/RELAY_EARLY cell (tor-spec 6.1): command, 'recognized',
/// StreamID, digest, length, then data and padding, PAYLOAD_LEN (509) bytes in all. Encoding leaves
/// 'recognized' and the digest zero; the relay crypto fills the digest before encrypting.</summary>
internal static class RelayCell
{
    public const int BodyLength = ChannelFraming.PayloadLength;
    public const int HeaderLength = 11;
    public const int MaxDataLength = BodyLength - HeaderLength;
    public const int RecognizedOffset = 1;
    public const int StreamIdOffset = 3;
    public const int DigestOffset = 5;
    public const int DigestLength = 4;
    public const int LengthOffset = 9;

    /// <summary>Number of zero bytes that start the padding before random bytes (tor-spec 6.1).</summary>
    public const int ZeroPaddingPrefix = 4;

    /// <summary>Reads and checks the header: the body must be 509 bytes and Length at most 498.</summary>
    public static RelayHeader ReadHeader(ReadOnlySpan<byte> body)
    {
        if (body.Length != BodyLength)
            throw new CellFormatException($"Relay cell: body is {body.Length} bytes; it must be {BodyLength}.");
        var length = BinaryPrimitives.ReadUInt16BigEndian(body[LengthOffset..]);
        if (length > MaxDataLength)
            throw new CellFormatException($"Relay cell: Length {length} exceeds the {MaxDataLength} bytes available after the header.");
        return new RelayHeader(
            (RelayCommand)body[0],
            BinaryPrimitives.ReadUInt16BigEndian(body[RecognizedOffset..]),
            BinaryPrimitives.ReadUInt16BigEndian(body[StreamIdOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(body[DigestOffset..]),
            length);
    }

    /// <summary>The header and the data bytes (a slice of <paramref name="body"/>).</summary>
    public static ReadOnlySpan<byte> Decode(ReadOnlySpan<byte> body, out RelayHeader header)
    {
        header = ReadHeader(body);
        return body.Slice(HeaderLength, header.Length);
    }

    /// <summary>As <see cref="Decode(ReadOnlySpan{byte}, out RelayHeader)"/>, keeping the data as a slice of
    /// <paramref name="body"/> so DATA can be handed on without copying.</summary>
    public static ReadOnlyMemory<byte> Decode(ReadOnlyMemory<byte> body, out RelayHeader header)
    {
        header = ReadHeader(body.Span);
        return body.Slice(HeaderLength, header.Length);
    }

    /// <summary>Where the data of an outgoing cell goes: fill it (e.g. straight from a socket read), then <see cref="Seal"/>.</summary>
    public static Span<byte> DataArea(Span<byte> body) => CheckBody(body).Slice(HeaderLength, MaxDataLength);

    /// <summary>The 4-byte digest field, for the relay crypto.</summary>
    public static Span<byte> DigestField(Span<byte> body) => CheckBody(body).Slice(DigestOffset, DigestLength);

    /// <summary>Writes the header for <paramref name="dataLength"/> bytes already in <see cref="DataArea"/>
    /// ('recognized' and digest zero) and pads the rest.</summary>
    public static void Seal(Span<byte> body, RelayCommand command, ushort streamId, int dataLength, RelayPadding padding = RelayPadding.Random)
    {
        CheckBody(body);
        if ((uint)dataLength > MaxDataLength)
            throw new CellFormatException($"Relay cell ({command}): {dataLength} data bytes exceed the maximum of {MaxDataLength}.");
        body[0] = (byte)command;
        BinaryPrimitives.WriteUInt16BigEndian(body[RecognizedOffset..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(body[StreamIdOffset..], streamId);
        BinaryPrimitives.WriteUInt32BigEndian(body[DigestOffset..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(body[LengthOffset..], (ushort)dataLength);
        var pad = body[(HeaderLength + dataLength)..];
        var zeros = padding == RelayPadding.Zero ? pad.Length : Math.Min(ZeroPaddingPrefix, pad.Length);
        pad[..zeros].Clear();
        if (zeros < pad.Length)
            RandomNumberGenerator.Fill(pad[zeros..]);
    }

    /// <summary>A whole relay cell body from raw data (e.g. DATA).</summary>
    public static void Encode(Span<byte> body, RelayCommand command, ushort streamId, ReadOnlySpan<byte> data, RelayPadding padding = RelayPadding.Random)
    {
        CheckBody(body);
        if (data.Length > MaxDataLength)
            throw new CellFormatException($"Relay cell ({command}): {data.Length} data bytes exceed the maximum of {MaxDataLength}.");
        data.CopyTo(body[HeaderLength..]);
        Seal(body, command, streamId, data.Length, padding);
    }

    /// <summary>A whole relay cell body from a message, encoded in place.</summary>
    public static void Encode(Span<byte> body, ushort streamId, RelayMessage message, RelayPadding padding = RelayPadding.Random)
    {
        CheckBody(body);
        var length = message.EncodedLength;
        if (length > MaxDataLength)
            throw new CellFormatException($"Relay cell ({message.Command}): message of {length} bytes exceeds the maximum of {MaxDataLength}.");
        var written = message.Encode(body.Slice(HeaderLength, length));
        if (written != length)
            throw new InvalidOperationException($"{message.Command} encoder wrote {written} bytes but announced {length}.");
        Seal(body, message.Command, streamId, length, padding);
    }

    private static Span<byte> CheckBody(Span<byte> body) => body.Length == BodyLength
        ? body
        : throw new ArgumentException($"A relay cell body is {BodyLength} bytes; got {body.Length}.", nameof(body));
}
