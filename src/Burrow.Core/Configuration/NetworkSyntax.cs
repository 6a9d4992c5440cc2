using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Burrow.Core.Configuration;

/// <summary>
/// Strict address syntax for payloads. .NET's parsers accept forms nobody means in a
/// configuration ("127.1", "0x7f.0.0.1", zone ids, host bits silently masked off), so
/// addresses are checked here first: dotted-quad IPv4 without leading zeros, IPv6 without
/// a zone, ports as plain decimal.
/// </summary>
internal static class NetworkSyntax
{
    /// <summary>"a.b.c.d" with each part 0-255 and no leading zeros.</summary>
    public static bool TryParseIPv4(ReadOnlySpan<char> s, out IPAddress address)
    {
        address = IPAddress.None;
        var parts = 0;
        var i = 0;
        while (true)
        {
            var start = i;
            while (i < s.Length && s[i] is >= '0' and <= '9')
                i++;
            var len = i - start;
            if (len is 0 or > 3 || (len > 1 && s[start] == '0'))
                return false;
            if (int.Parse(s.Slice(start, len), NumberStyles.None, CultureInfo.InvariantCulture) > 255)
                return false;
            parts++;
            if (i == s.Length)
                break;
            if (s[i] != '.' || parts == 4)
                return false;
            i++;
        }
        if (parts != 4)
            return false;
        address = IPAddress.Parse(s);
        return true;
    }

    /// <summary>An IPv6 address in any RFC 4291 text form, without brackets or a zone id.</summary>
    public static bool TryParseIPv6(ReadOnlySpan<char> s, out IPAddress address)
    {
        address = IPAddress.IPv6None;
        if (s.Length is < 2 or > 45 || !s.Contains(':'))
            return false;
        foreach (var c in s)
            if (!(char.IsAsciiHexDigit(c) || c is ':' or '.'))
                return false;
        if (!IPAddress.TryParse(s, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6)
            return false;
        address = parsed;
        return true;
    }

    public static bool TryParseAddress(ReadOnlySpan<char> s, out IPAddress address)
        => TryParseIPv4(s, out address) || TryParseIPv6(s, out address);

    /// <summary>A port 1-65535 written as plain decimal digits.</summary>
    public static bool TryParsePort(ReadOnlySpan<char> s, out int port)
    {
        port = 0;
        if (s.Length is 0 or > 5)
            return false;
        foreach (var c in s)
            if (c is < '0' or > '9')
                return false;
        port = int.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);
        return port is >= 1 and <= 65535;
    }

    /// <summary>"IPv4:port" or "[IPv6]:port".</summary>
    public static bool TryParseEndPoint(ReadOnlySpan<char> s, out IPEndPoint endPoint)
    {
        endPoint = new IPEndPoint(IPAddress.Any, 0);
        IPAddress address;
        ReadOnlySpan<char> port;
        if (s.StartsWith("["))
        {
            var close = s.IndexOf(']');
            if (close < 0 || close + 1 >= s.Length || s[close + 1] != ':' || !TryParseIPv6(s[1..close], out address))
                return false;
            port = s[(close + 2)..];
        }
        else
        {
            var colon = s.IndexOf(':');
            if (colon < 0 || !TryParseIPv4(s[..colon], out address))
                return false;
            port = s[(colon + 1)..];
        }
        if (!TryParsePort(port, out var p))
            return false;
        endPoint = new IPEndPoint(address, p);
        return true;
    }

    public enum CidrProblem
    {
        None,
        Syntax,
        HostBits,
    }

    /// <summary>"address/prefix" or a bare address (a single host: /32 or /128). Host bits after the
    /// prefix are refused rather than masked off, so what is configured is what is used.</summary>
    public static CidrProblem TryParseCidr(ReadOnlySpan<char> s, out IPNetwork network)
    {
        network = default;
        var slash = s.IndexOf('/');
        var addressText = slash < 0 ? s : s[..slash];
        if (!TryParseAddress(addressText, out var address))
            return CidrProblem.Syntax;
        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = max;
        if (slash >= 0)
        {
            var prefixText = s[(slash + 1)..];
            if (prefixText.Length is 0 or > 3 || (prefixText.Length > 1 && prefixText[0] == '0'))
                return CidrProblem.Syntax;
            foreach (var c in prefixText)
                if (c is < '0' or > '9')
                    return CidrProblem.Syntax;
            prefix = int.Parse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture);
            if (prefix > max)
                return CidrProblem.Syntax;
        }
        var candidate = new IPNetwork(Masked(address, prefix), prefix);
        if (!candidate.BaseAddress.Equals(address))
            return CidrProblem.HostBits;
        network = candidate;
        return CidrProblem.None;
    }

    /// <summary>The text form used in payloads: "1.2.3.4:5" or "[::1]:5".</summary>
    public static string Format(IPEndPoint endPoint)
        => endPoint.AddressFamily == AddressFamily.InterNetworkV6
            ? string.Create(CultureInfo.InvariantCulture, $"[{endPoint.Address}]:{endPoint.Port}")
            : string.Create(CultureInfo.InvariantCulture, $"{endPoint.Address}:{endPoint.Port}");

    private static IPAddress Masked(IPAddress address, int prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var len);
        bytes = bytes[..len];
        for (var bit = prefix; bit < len * 8; bit++)
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        return new IPAddress(bytes);
    }
}
