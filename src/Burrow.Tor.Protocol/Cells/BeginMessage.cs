using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Burrow.Tor.Cells;

/// <summary>RELAY_BEGIN (tor-spec 6.2): ADDRPORT "host:port" NUL-terminated, then 4-byte FLAGS.
/// <see cref="Host"/> is a hostname, dotted-quad IPv4 or an IPv6 address (bracketed on the wire).
/// The spec asks senders to use lower case; the codec sends <see cref="Host"/> as given.
/// FLAGS absent on the wire decodes as <see cref="BeginFlags.None"/>.</summary>
internal sealed record BeginMessage(string Host, ushort Port, BeginFlags Flags = BeginFlags.None) : RelayMessage
{
    private const string What = "RELAY_BEGIN";

    public override RelayCommand Command => RelayCommand.Begin;

    private bool Bracketed => Host.Contains(':');

    public override int EncodedLength
    {
        get
        {
            WireText.Check(Host, What, "host");
            if (Port == 0)
                throw new CellFormatException($"{What}: port 0 is not allowed; PORT is 1..65535.");
            if (Bracketed && !IsPlainIPv6(Host))
                throw new CellFormatException($"{What}: host '{Host}' contains ':' but is not an IPv6 address.");
            return (Bracketed ? Host.Length + 2 : Host.Length) + 1 + DigitCount(Port) + 1 + 4;
        }
    }

    /// <summary>An IPv6 literal without brackets or zone ID: what goes between the brackets.</summary>
    private static bool IsPlainIPv6(string host) =>
        host.AsSpan().IndexOfAny('[', ']', '%') < 0
        && IPAddress.TryParse(host, out var a) && a.AddressFamily == AddressFamily.InterNetworkV6;

    private static int DigitCount(ushort v) => v >= 10000 ? 5 : v >= 1000 ? 4 : v >= 100 ? 3 : v >= 10 ? 2 : 1;

    public override int Encode(Span<byte> data)
    {
        var w = Writer(data);
        if (Bracketed) w.WriteByte((byte)'[');
        foreach (var c in Host) w.WriteByte((byte)c);
        if (Bracketed) w.WriteByte((byte)']');
        w.WriteByte((byte)':');
        Span<byte> digits = stackalloc byte[5];
        Utf8Formatter.TryFormat(Port, digits, out var n);
        w.WriteBytes(digits[..n]);
        w.WriteByte(0);
        w.WriteUInt32((uint)Flags);
        return w.Position;
    }

    public static BeginMessage Decode(ReadOnlySpan<byte> data)
    {
        var r = new WireReader(data, What);
        var addrPort = WireText.ReadNulTerminated(ref r, What, "ADDRPORT");
        var (host, port) = ParseAddrPort(addrPort);
        var flags = BeginFlags.None;
        // Very old clients sent no FLAGS; a partial field is malformed.
        if (r.Remaining > 0)
            flags = (BeginFlags)r.ReadUInt32("FLAGS");
        return new BeginMessage(host, port, flags);
    }

    private static (string Host, ushort Port) ParseAddrPort(string s)
    {
        string host, portText;
        if (s.StartsWith('['))
        {
            var close = s.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
                throw new CellFormatException($"{What}: ADDRPORT starts with '[' but has no ']:' before the port.");
            host = s[1..close];
            portText = s[(close + 2)..];
            if (!IsPlainIPv6(host))
                throw new CellFormatException($"{What}: bracketed host is not an IPv6 address.");
        }
        else
        {
            var colon = s.LastIndexOf(':');
            if (colon < 0)
                throw new CellFormatException($"{What}: ADDRPORT has no ':port'.");
            host = s[..colon];
            portText = s[(colon + 1)..];
            if (host.Length == 0)
                throw new CellFormatException($"{What}: ADDRPORT has an empty host.");
            if (host.Contains(':'))
                throw new CellFormatException($"{What}: an IPv6 host must be in square brackets.");
        }
        if (portText.Length is 0 or > 5 || !portText.All(char.IsAsciiDigit)
            || !ushort.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port == 0)
            throw new CellFormatException($"{What}: PORT must be a decimal integer from 1 to 65535.");
        return (host, port);
    }
}
