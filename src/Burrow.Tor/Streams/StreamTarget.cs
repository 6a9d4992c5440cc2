using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Burrow.Tor.Cells;

namespace Burrow.Tor.Streams;

/// <summary>Where a RELAY_BEGIN asks the exit to connect (tor-spec 6.2): a hostname, an IPv4 address or an
/// IPv6 address, and a port. Hostnames are sent in lower case, as the spec asks.</summary>
internal sealed record StreamTarget
{
    private StreamTarget(string host, ushort port, BeginFlags flags)
    {
        Host = host;
        Port = port;
        Flags = flags;
    }

    /// <summary>Hostname (lower case), dotted-quad IPv4, or IPv6 without brackets.</summary>
    public string Host { get; }

    public ushort Port { get; }

    /// <summary>IPv6 is acceptable for names and IPv6 literals; IPv4 literals need nothing.</summary>
    public BeginFlags Flags { get; }

    public static StreamTarget For(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return For(endPoint.Address, endPoint.Port);
    }

    public static StreamTarget For(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        CheckPort(port);
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => new StreamTarget(address.ToString(), (ushort)port, BeginFlags.None),
            AddressFamily.InterNetworkV6 when address.ScopeId == 0 => new StreamTarget(address.ToString(), (ushort)port, BeginFlags.IPv6Okay),
            AddressFamily.InterNetworkV6 => throw new ArgumentException($"IPv6 address {address} has a scope ID; an exit cannot use it.", nameof(address)),
            _ => throw new ArgumentException($"Address {address} is neither IPv4 nor IPv6.", nameof(address)),
        };
    }

    /// <summary>A hostname or address literal (without brackets) and a port.</summary>
    public static StreamTarget For(string host, int port)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        CheckPort(port);
        if (IPAddress.TryParse(host, out var address) && (host.Contains(':') || host.Count(c => c == '.') == 3))
            return For(address, port);
        if (host.Length > 255 || host.Any(c => c is <= ' ' or >= (char)0x7F or ':' or '[' or ']' or '/' or '\\'))
            throw new ArgumentException($"'{host}' is not a hostname an exit can resolve (ASCII letters, digits, '-', '.', '_' only).", nameof(host));
        return new StreamTarget(host.ToLowerInvariant(), (ushort)port, BeginFlags.IPv6Okay);
    }

    /// <summary>Parses "a.b.c.d:port", "[v6]:port" or "hostname:port".</summary>
    public static StreamTarget Parse(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        string host, portText;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
                throw new FormatException($"'{text}': an IPv6 target is written '[address]:port'.");
            host = text[1..close];
            portText = text[(close + 2)..];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
                throw new FormatException($"'{text}': '{host}' is not an IPv6 address.");
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || text.IndexOf(':') != colon)
                throw new FormatException($"'{text}': expected 'host:port', 'a.b.c.d:port' or '[v6]:port'.");
            host = text[..colon];
            portText = text[(colon + 1)..];
        }
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new FormatException($"'{text}': the port must be a number from 1 to 65535.");
        try
        {
            return For(host, port);
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }
    }

    internal BeginMessage ToBegin() => new(Host, Port, Flags);

    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    private static void CheckPort(int port)
    {
        if (port is < 1 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(port), port, "A stream's port is 1..65535.");
    }
}
