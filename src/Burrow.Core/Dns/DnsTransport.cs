namespace Burrow.Core.Dns;

/// <summary>How a query reached the DNS listener.</summary>
internal enum DnsTransport
{
    Udp,
    Tcp,
}
