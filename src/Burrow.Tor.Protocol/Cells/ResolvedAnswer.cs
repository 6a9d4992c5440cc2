using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Burrow.Tor.Cells;

/// <summary>One RELAY_RESOLVED answer (tor-spec 6.4): type, value, TTL. Hostnames are not NUL-terminated;
/// an error's value is ignored by receivers but kept here so the message re-encodes exactly.</summary>
internal sealed record ResolvedAnswer(ResolvedAnswerType Type, ReadOnlyMemory<byte> Value, uint Ttl)
{
    /// <summary>What relays put in an error answer.</summary>
    public static readonly ReadOnlyMemory<byte> DefaultErrorText = "Error resolving hostname"u8.ToArray();

    public static ResolvedAnswer ForAddress(IPAddress address, uint ttl) => address.AddressFamily switch
    {
        AddressFamily.InterNetwork => new ResolvedAnswer(ResolvedAnswerType.IPv4, address.GetAddressBytes(), ttl),
        AddressFamily.InterNetworkV6 => new ResolvedAnswer(ResolvedAnswerType.IPv6, address.GetAddressBytes(), ttl),
        _ => throw new CellFormatException($"RELAY_RESOLVED: address {address} is neither IPv4 nor IPv6."),
    };

    public static ResolvedAnswer ForHostname(string hostname, uint ttl)
    {
        WireText.Check(hostname, "RELAY_RESOLVED", "hostname");
        return new ResolvedAnswer(ResolvedAnswerType.Hostname, Encoding.ASCII.GetBytes(hostname), ttl);
    }

    public static ResolvedAnswer ForError(bool transient, uint ttl = 0) =>
        new(transient ? ResolvedAnswerType.TransientError : ResolvedAnswerType.NontransientError, DefaultErrorText, ttl);

    public bool IsError => Type is ResolvedAnswerType.TransientError or ResolvedAnswerType.NontransientError;

    /// <summary>The address of an IPv4/IPv6 answer, else null.</summary>
    public IPAddress? Address => (Type, Value.Length) is (ResolvedAnswerType.IPv4, 4) or (ResolvedAnswerType.IPv6, 16)
        ? new IPAddress(Value.Span)
        : null;

    /// <summary>The name of a hostname answer (bytes outside ASCII replaced), else null.</summary>
    public string? Hostname => Type == ResolvedAnswerType.Hostname ? Encoding.ASCII.GetString(Value.Span) : null;

    public bool Equals(ResolvedAnswer? other) =>
        other is not null && Type == other.Type && Ttl == other.Ttl && ByteEquality.Equal(Value, other.Value);

    public override int GetHashCode() => HashCode.Combine(Type, Ttl, ByteEquality.Hash(Value));
}
