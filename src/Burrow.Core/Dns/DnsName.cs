using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Burrow.Core.Dns;

/// <summary>
/// Host names as Burrow keeps them (RFC 1035 section 2.3.4 limits): ASCII letters lower-cased,
/// the trailing dot dropped, anything else (IDNA punycode or raw UTF-8) left as the client sent it.
/// </summary>
internal static class DnsName
{
    public const int MaxNameLength = 253;
    public const int MaxLabelLength = 63;

    /// <summary>Normalises a dotted name; false with the reason when it is not a usable host name.</summary>
    public static bool TryNormalize(string? name, out string normalized, out string? problem)
    {
        normalized = string.Empty;
        if (string.IsNullOrEmpty(name))
        {
            problem = "the name is empty";
            return false;
        }

        var trimmed = name.EndsWith('.') ? name[..^1] : name;
        return TryNormalizeLabels(trimmed.Split('.'), out normalized, out problem);
    }

    /// <summary>
    /// Normalises a name from the wire, label by label. A label may not contain a dot (it could not
    /// be told apart from two labels once the name is handed to Tor as text).
    /// </summary>
    public static bool TryNormalizeLabels(IReadOnlyList<string> labels, out string normalized, out string? problem)
    {
        normalized = string.Empty;
        if (labels.Count == 0 || (labels.Count == 1 && labels[0].Length == 0))
        {
            problem = "the name is empty (the root)";
            return false;
        }

        var builder = new StringBuilder(MaxNameLength + 1);
        for (var i = 0; i < labels.Count; i++)
        {
            var label = labels[i];
            if (label.Length == 0)
            {
                problem = "the name has an empty label";
                return false;
            }

            if (label.Length > MaxLabelLength)
            {
                problem = $"label {i + 1} is {label.Length} characters long; at most {MaxLabelLength} are accepted";
                return false;
            }

            if (i > 0)
                builder.Append('.');
            foreach (var c in label)
            {
                // '.' inside a label, controls, spaces and U+FFFD (what invalid UTF-8 decodes to) cannot be passed on faithfully.
                if (c == '.' || c <= ' ' || c == '\u007f' || c == '\uFFFD' || char.IsControl(c))
                {
                    problem = $"label {i + 1} contains a character that is not accepted in a host name (U+{(int)c:X4})";
                    return false;
                }

                builder.Append(c is >= 'A' and <= 'Z' ? (char)(c + ('a' - 'A')) : c);
            }
        }

        if (builder.Length > MaxNameLength)
        {
            problem = $"the name is {builder.Length} characters long; at most {MaxNameLength} are accepted";
            return false;
        }

        normalized = builder.ToString();
        problem = null;
        return true;
    }

    /// <summary>
    /// Normalises an automap suffix: "." (every name), or a name such as ".onion" / "onion" / ".example.com.".
    /// </summary>
    public static bool TryNormalizeSuffix(string? suffix, out string normalized, out string? problem)
    {
        if (suffix == ".")
        {
            normalized = ".";
            problem = null;
            return true;
        }

        var body = suffix is null ? null : suffix.StartsWith('.') ? suffix[1..] : suffix;
        return TryNormalize(body, out normalized, out problem);
    }

    /// <summary>True when <paramref name="name"/> (normalised) is <paramref name="suffix"/> or a name under it; "." matches all.</summary>
    public static bool HasSuffix(string name, string suffix) =>
        suffix == "."
        || name.Equals(suffix, StringComparison.Ordinal)
        || (name.Length > suffix.Length
            && name.EndsWith(suffix, StringComparison.Ordinal)
            && name[name.Length - suffix.Length - 1] == '.');

    /// <summary>True for names under .onion (RFC 7686), which only an onion-service client can reach.</summary>
    public static bool IsOnion(string name) => HasSuffix(name, "onion");

    /// <summary>The in-addr.arpa / ip6.arpa name of an address (RFC 1035 section 3.5, RFC 3596 section 2.5).</summary>
    public static string ReverseName(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        var builder = new StringBuilder(80);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            for (var i = bytes.Length - 1; i >= 0; i--)
                builder.Append(bytes[i].ToString(CultureInfo.InvariantCulture)).Append('.');
            return builder.Append("in-addr.arpa").ToString();
        }

        for (var i = bytes.Length - 1; i >= 0; i--)
            builder.Append(HexDigit(bytes[i] & 0xF)).Append('.').Append(HexDigit(bytes[i] >> 4)).Append('.');
        return builder.Append("ip6.arpa").ToString();
    }

    /// <summary>True when <paramref name="name"/> (normalised) is under in-addr.arpa or ip6.arpa.</summary>
    public static bool IsReverseName(string name) => HasSuffix(name, "in-addr.arpa") || HasSuffix(name, "ip6.arpa");

    /// <summary>Parses a complete reverse name (4 octets or 32 nibbles) back into its address.</summary>
    public static bool TryParseReverseName(string name, out IPAddress address)
    {
        address = IPAddress.None;
        var labels = name.Split('.');
        if (HasSuffix(name, "in-addr.arpa") && labels.Length == 6)
        {
            var bytes = new byte[4];
            for (var i = 0; i < 4; i++)
            {
                var label = labels[3 - i];
                if (label.Length is 0 or > 3 || (label.Length > 1 && label[0] == '0')
                    || !byte.TryParse(label, NumberStyles.None, CultureInfo.InvariantCulture, out bytes[i]))
                    return false;
            }

            address = new IPAddress(bytes);
            return true;
        }

        if (HasSuffix(name, "ip6.arpa") && labels.Length == 34)
        {
            var bytes = new byte[16];
            for (var i = 0; i < 32; i++)
            {
                var label = labels[31 - i];
                if (label.Length != 1 || !Uri.IsHexDigit(label[0]))
                    return false;
                var nibble = Convert.ToByte(label, 16);
                bytes[i / 2] |= (byte)(i % 2 == 0 ? nibble << 4 : nibble);
            }

            address = new IPAddress(bytes);
            return true;
        }

        return false;
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);
}
