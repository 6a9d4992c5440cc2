// Value syntax shared by directory documents (dir-spec 1.2, 2.1.3, 3.4.1): times, hex and
// base64 digests, integers, IP addresses. Everything works on ASCII bytes and throws
// NetDocException with the line number on bad input.
using System.Buffers;
using System.Buffers.Text;
using System.Net;
using System.Text;

namespace Burrow.Tor.NetDoc;

internal static class NetDocText
{
    /// <summary>
    /// Returns a copy with every CRLF turned into LF, or null when the text has no CR at all.
    /// Tor signs and hashes documents with LF line endings; a copy that went through a CRLF
    /// conversion (e.g. a checkout on Windows) is only usable after undoing it, and the
    /// signature or digest check afterwards proves that the normalized text is the signed one.
    /// A lone CR is left in place and rejected by the tokenizer.
    /// </summary>
    public static byte[]? NormalizeLineEndings(ReadOnlySpan<byte> text)
    {
        var cr = text.IndexOf("\r\n"u8);
        if (cr < 0)
            return null;
        var result = new byte[text.Length];
        var written = 0;
        while (cr >= 0)
        {
            text[..cr].CopyTo(result.AsSpan(written));
            written += cr;
            result[written++] = (byte)'\n';
            text = text[(cr + 2)..];
            cr = text.IndexOf("\r\n"u8);
        }
        text.CopyTo(result.AsSpan(written));
        written += text.Length;
        Array.Resize(ref result, written);
        return result;
    }

    public static string Latin1(ReadOnlySpan<byte> s) => Encoding.Latin1.GetString(s);

    /// <summary>Decodes the base64 lines of an object body (newlines are dropped first).</summary>
    public static byte[] DecodeBase64Lines(ReadOnlySpan<byte> body, int line)
    {
        byte[]? rented = null;
        var compact = body.Length <= 1024 ? stackalloc byte[body.Length] : (rented = ArrayPool<byte>.Shared.Rent(body.Length));
        try
        {
            var n = 0;
            foreach (var c in body)
            {
                if (c != (byte)'\n')
                    compact[n++] = c;
            }
            var src = compact[..n];
            var dest = new byte[Base64.GetMaxDecodedFromUtf8Length(n)];
            if (n % 4 != 0 || Base64.DecodeFromUtf8(src, dest, out var consumed, out var written) != OperationStatus.Done || consumed != n)
                throw new NetDocException("object body is not valid base64", line);
            return written == dest.Length ? dest : dest.AsSpan(0, written).ToArray();
        }
        finally
        {
            if (rented != null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Decodes base64 that may lack its trailing '=' padding (identities, digests, keys in
    /// directory documents) into exactly <paramref name="dest"/>.Length bytes.
    /// </summary>
    public static bool TryDecodeBase64Unpadded(ReadOnlySpan<byte> s, Span<byte> dest)
    {
        if (s.Length > 128)
            return false;
        Span<byte> padded = stackalloc byte[132];
        s.CopyTo(padded);
        var n = s.Length;
        while (n % 4 != 0)
            padded[n++] = (byte)'=';
        Span<byte> output = stackalloc byte[99];
        if (Base64.DecodeFromUtf8(padded[..n], output, out var consumed, out var written) != OperationStatus.Done
            || consumed != n || written != dest.Length)
            return false;
        output[..written].CopyTo(dest);
        return true;
    }

    public static void DecodeBase64Unpadded(ReadOnlySpan<byte> s, Span<byte> dest, int line, string what)
    {
        if (!TryDecodeBase64Unpadded(s, dest))
            throw new NetDocException($"{what} must be base64 of {dest.Length} bytes", line);
    }

    public static bool TryParseHex(ReadOnlySpan<byte> s, Span<byte> dest)
    {
        if (s.Length != dest.Length * 2)
            return false;
        for (var i = 0; i < dest.Length; i++)
        {
            var hi = HexValue(s[2 * i]);
            var lo = HexValue(s[2 * i + 1]);
            if ((hi | lo) < 0)
                return false;
            dest[i] = (byte)(hi << 4 | lo);
        }
        return true;
    }

    public static void ParseHex(ReadOnlySpan<byte> s, Span<byte> dest, int line, string what)
    {
        if (!TryParseHex(s, dest))
            throw new NetDocException($"{what} must be {dest.Length * 2} hexadecimal digits", line);
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        _ => -1,
    };

    /// <summary>Parses an unsigned decimal (digits only) no larger than <paramref name="max"/>.</summary>
    public static bool TryParseUInt(ReadOnlySpan<byte> s, ulong max, out ulong value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 20)
            return false;
        foreach (var c in s)
        {
            var d = (uint)(c - '0');
            if (d > 9)
                return false;
            if (d > max || value > (max - d) / 10)
                return false;
            value = value * 10 + d;
        }
        return true;
    }

    public static ulong ParseUInt(ReadOnlySpan<byte> s, ulong max, int line, string what)
    {
        if (!TryParseUInt(s, max, out var v))
            throw new NetDocException($"{what} must be an integer from 0 to {max}, got '{Latin1(Clip(s))}'", line);
        return v;
    }

    public static ushort ParsePort(ReadOnlySpan<byte> s, int line, string what) =>
        (ushort)ParseUInt(s, ushort.MaxValue, line, what);

    /// <summary>A decimal Int32 with an optional leading '-' (dir-spec 3.4.1 "Int32").</summary>
    public static bool TryParseInt32(ReadOnlySpan<byte> s, out int value)
    {
        value = 0;
        var negative = !s.IsEmpty && s[0] == (byte)'-';
        if (!TryParseUInt(negative ? s[1..] : s, negative ? 2147483648UL : int.MaxValue, out var v))
            return false;
        value = negative ? (int)(-(long)v) : (int)v;
        return true;
    }

    /// <summary>Reads "YYYY-MM-DD HH:MM:SS" (two arguments) as a UTC time.</summary>
    public static DateTime ParseTime(ref ArgReader args, string keyword, int line)
    {
        var date = args.Next(keyword, "date (YYYY-MM-DD)");
        var time = args.Next(keyword, "time (HH:MM:SS)");
        if (date.Length != 10 || date[4] != (byte)'-' || date[7] != (byte)'-' || time.Length != 8 || time[2] != (byte)':' || time[5] != (byte)':')
            throw new NetDocException($"'{keyword}' time must be 'YYYY-MM-DD HH:MM:SS'", line);
        if (!TryDigits(date[..4], out var y) || !TryDigits(date[5..7], out var mo) || !TryDigits(date[8..], out var d)
            || !TryDigits(time[..2], out var h) || !TryDigits(time[3..5], out var mi) || !TryDigits(time[6..], out var s)
            || y < 1 || mo is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, mo) || h > 23 || mi > 59 || s > 59)
            throw new NetDocException($"'{keyword}' has an invalid date or time '{Latin1(date)} {Latin1(time)}'", line);
        return new DateTime(y, mo, d, h, mi, s, DateTimeKind.Utc);
    }

    private static bool TryDigits(ReadOnlySpan<byte> s, out int value)
    {
        value = 0;
        foreach (var c in s)
        {
            var d = (uint)(c - '0');
            if (d > 9)
                return false;
            value = value * 10 + (int)d;
        }
        return true;
    }

    /// <summary>Parses a dotted-quad IPv4 address.</summary>
    public static IPAddress ParseIPv4(ReadOnlySpan<byte> s, int line, string what)
    {
        if (!TryParseIPv4(s, out var address))
            throw new NetDocException($"{what} must be an IPv4 address, got '{Latin1(Clip(s))}'", line);
        return address;
    }

    public static bool TryParseIPv4(ReadOnlySpan<byte> s, out IPAddress address)
    {
        address = IPAddress.None;
        if (!TryParseIPv4Value(s, out var value))
            return false;
        // IPAddress(long) takes the address in network order as laid out in memory.
        address = new IPAddress(BitConverter.IsLittleEndian ? System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(value) : value);
        return true;
    }

    /// <summary>Dotted quad to a big-endian (network order) 32-bit value; no leading zeros.</summary>
    private static bool TryParseIPv4Value(ReadOnlySpan<byte> s, out uint value)
    {
        value = 0;
        if (s.Length is < 7 or > 15)
            return false;
        for (var i = 0; i < 4; i++)
        {
            var dot = i < 3 ? s.IndexOf((byte)'.') : s.Length;
            if (dot is < 1 or > 3 || !TryParseUInt(s[..dot], 255, out var v) || (dot > 1 && s[0] == (byte)'0'))
                return false;
            value = value << 8 | (uint)v;
            s = i < 3 ? s[(dot + 1)..] : default;
        }
        return true;
    }

    /// <summary>
    /// Parses RFC 4291 IPv6 text: eight groups of 1-4 hex digits, one "::" for a run of zero
    /// groups, an optional dotted-quad tail. No zone index. (IPAddress.TryParse is several
    /// times slower and accepts forms a directory document has no business containing.)
    /// </summary>
    public static bool TryParseIPv6(ReadOnlySpan<byte> s, out IPAddress address)
    {
        address = IPAddress.IPv6None;
        if (s.Length is < 2 or > 45)
            return false;
        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        var gap = s.IndexOf("::"u8);
        if (gap >= 0 && s[(gap + 1)..].IndexOf("::"u8) >= 0)
            return false; // two "::" (or ":::")
        int headGroups, tailGroups;
        if (gap < 0)
        {
            if (!TryGroups(s, bytes, allowIPv4Tail: true, out headGroups) || headGroups != 8)
                return false;
        }
        else
        {
            Span<byte> tail = stackalloc byte[16];
            if (!TryGroups(s[..gap], bytes, allowIPv4Tail: false, out headGroups)
                || !TryGroups(s[(gap + 2)..], tail, allowIPv4Tail: true, out tailGroups)
                || headGroups + tailGroups > 7)
                return false;
            tail[..(tailGroups * 2)].CopyTo(bytes[(16 - tailGroups * 2)..]);
        }
        address = new IPAddress(bytes);
        return true;
    }

    /// <summary>Parses ':'-separated groups into <paramref name="dest"/>; an empty span is zero groups.</summary>
    private static bool TryGroups(ReadOnlySpan<byte> s, Span<byte> dest, bool allowIPv4Tail, out int groups)
    {
        groups = 0;
        if (s.IsEmpty)
            return true;
        while (true)
        {
            var colon = s.IndexOf((byte)':');
            var part = colon < 0 ? s : s[..colon];
            if (colon < 0 && allowIPv4Tail && part.IndexOf((byte)'.') >= 0)
            {
                if (groups > 6 || !TryParseIPv4Value(part, out var v4))
                    return false;
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(dest[(groups * 2)..], v4);
                groups += 2;
                return true;
            }
            if (part.Length is < 1 or > 4 || groups == 8)
                return false;
            var g = 0;
            foreach (var c in part)
            {
                var h = HexValue(c);
                if (h < 0)
                    return false;
                g = g << 4 | h;
            }
            dest[groups * 2] = (byte)(g >> 8);
            dest[groups * 2 + 1] = (byte)g;
            groups++;
            if (colon < 0)
                return true;
            s = s[(colon + 1)..];
            if (s.IsEmpty)
                return false; // trailing single ':'
        }
    }

    /// <summary>"a.b.c.d:port" or "[ipv6]:port" (dir-spec 2.1.1 "or-address").</summary>
    public static IPEndPoint ParseOrAddress(ReadOnlySpan<byte> s, int line, string keyword)
    {
        var colon = s.LastIndexOf((byte)':');
        if (colon < 1)
            throw new NetDocException($"'{keyword}' must be 'address:port'", line);
        var host = s[..colon];
        var port = ParsePort(s[(colon + 1)..], line, $"'{keyword}' port");
        IPAddress? ip;
        if (host[0] == (byte)'[')
        {
            if (host.Length < 3 || host[^1] != (byte)']')
                throw new NetDocException($"'{keyword}' IPv6 address must be in brackets", line);
            if (!TryParseIPv6(host[1..^1], out ip))
                throw new NetDocException($"'{keyword}' has an invalid IPv6 address", line);
        }
        else if (!TryParseIPv4(host, out ip))
            throw new NetDocException($"'{keyword}' has an invalid IPv4 address", line);
        return new IPEndPoint(ip, port);
    }

    /// <summary>Bounds the text quoted in error messages.</summary>
    public static ReadOnlySpan<byte> Clip(ReadOnlySpan<byte> s) => s.Length > 48 ? s[..48] : s;
}
