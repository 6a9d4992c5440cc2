using System.Text;
using Burrow.Tor.Cells;

namespace Burrow.Fuzz.Targets;

/// <summary>The relay message decoders (tor-spec 6, 7.3, congestion control's XON/XOFF). Byte 0 is the relay
/// command, bytes 1-2 the StreamID, the rest the message data (at most 498 bytes, as in a cell).</summary>
internal sealed class RelayMessageTarget : FuzzTarget
{
    public override string Name => "relay-message";

    public override string Description => "RelayMessage.Decode (span and memory paths), StreamID rules and re-encoding";

    public override int MaxInputLength => 3 + RelayCell.MaxDataLength;

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 3)
            return;
        var command = (RelayCommand)input[0];
        var streamId = (ushort)(input[1] << 8 | input[2]);
        var data = input[3..];
        Decode(command, streamId, data);
        // The whole relay cell body too: header checks, then the same decoders.
        var body = new byte[RelayCell.BodyLength];
        body[0] = input[0];
        body[3] = input[1];
        body[4] = input[2];
        var length = Math.Min(data.Length, RelayCell.MaxDataLength);
        body[9] = (byte)(length >> 8);
        body[10] = (byte)length;
        data[..length].CopyTo(body.AsSpan(RelayCell.HeaderLength));
        DecodeRelayBody(body);
    }

    /// <summary>A decrypted RELAY cell body as the circuit code handles it.</summary>
    internal static void DecodeRelayBody(ReadOnlySpan<byte> body)
    {
        try
        {
            var data = RelayCell.Decode(body, out var header);
            Decode(header.Command, header.StreamId, data);
        }
        catch (CellFormatException)
        {
        }
    }

    private static void Decode(RelayCommand command, ushort streamId, ReadOnlySpan<byte> data)
    {
        try
        {
            RelayMessage.CheckStreamId(command, streamId);
        }
        catch (CellFormatException)
        {
        }
        RelayMessage? fromSpan = null;
        try
        {
            fromSpan = RelayMessage.Decode(command, data);
        }
        catch (CellFormatException)
        {
        }
        RelayMessage? fromMemory = null;
        try
        {
            fromMemory = RelayMessage.Decode(command, data.ToArray().AsMemory());
        }
        catch (CellFormatException)
        {
        }
        if ((fromSpan is null) != (fromMemory is null))
            throw new InvalidOperationException($"{command}: the span decoder {(fromSpan is null ? "rejected" : "accepted")} what the memory decoder {(fromMemory is null ? "rejected" : "accepted")}");
        if (fromSpan is null)
            return;
        var encoded = new byte[fromSpan.EncodedLength];
        if (fromSpan.Encode(encoded) != encoded.Length)
            throw new InvalidOperationException($"{command}: Encode wrote other than EncodedLength");
    }

    /// <summary>Hand-built messages: command, StreamID (2 bytes), data.</summary>
    internal static IEnumerable<byte[]> SampleMessages()
    {
        static byte[] M(RelayCommand c, ushort stream, params byte[] data) => [(byte)c, (byte)(stream >> 8), (byte)stream, .. data];
        yield return M(RelayCommand.Begin, 1, [.. Encoding.ASCII.GetBytes("example.com:443"), 0, 0, 0, 0, 5]);
        yield return M(RelayCommand.Begin, 1, [.. Encoding.ASCII.GetBytes("[2001:db8::1]:80"), 0]);
        yield return M(RelayCommand.BeginDir, 2);
        yield return M(RelayCommand.Data, 1, "GET / HTTP/1.0\r\n\r\n"u8.ToArray());
        yield return M(RelayCommand.End, 1, 6);
        yield return M(RelayCommand.End, 1, 4, 192, 0, 2, 1, 0, 0, 1, 0);
        yield return M(RelayCommand.Connected, 1, 192, 0, 2, 1, 0, 0, 0x0E, 0x10);
        yield return M(RelayCommand.Connected, 1, 0, 0, 0, 0, 6, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0x0E, 0x10);
        yield return M(RelayCommand.Connected, 1);
        yield return M(RelayCommand.Sendme, 0, [1, 0, 20, .. new byte[20]]);
        yield return M(RelayCommand.Sendme, 3);
        yield return M(RelayCommand.Extended2, 0, [0, 64, .. new byte[64]]);
        yield return M(RelayCommand.Extend2, 0, [2, 0, 6, 127, 0, 0, 1, 0x23, 0x29, 2, 20, .. new byte[20], 0, 2, 0, 84, .. new byte[84]]);
        yield return M(RelayCommand.Truncated, 0, 8);
        yield return M(RelayCommand.Truncate, 0);
        yield return M(RelayCommand.Drop, 0, new byte[16]);
        yield return M(RelayCommand.Resolve, 5, [.. Encoding.ASCII.GetBytes("example.com"), 0]);
        yield return M(RelayCommand.Resolved, 5, [4, 4, 192, 0, 2, 7, 0, 0, 0, 60, 0, 11, .. Encoding.ASCII.GetBytes("example.com"), 0, 0, 0, 60, 0xF0, 0, 0, 0, 0, 60]);
        yield return M(RelayCommand.Xon, 1, 0, 0, 0, 0x10, 0);
        yield return M(RelayCommand.Xoff, 1, 0);
        yield return M((RelayCommand)200, 0, 1, 2, 3);
    }

    public override IEnumerable<byte[]> Seeds(SeedData data) => SampleMessages();
}
