namespace Burrow.Core.Dns;

/// <summary>The address lookups Burrow answers through Tor (a Tor RESOLVE carries no other type).</summary>
internal enum DnsQueryKind
{
    /// <summary>IPv4 addresses (type A).</summary>
    A,

    /// <summary>IPv6 addresses (type AAAA).</summary>
    Aaaa,
}
