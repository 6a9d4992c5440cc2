using System.Net;

namespace Burrow.Core.Dns;

/// <summary>The DNS listener could not start, for example because its endpoint is in use.</summary>
internal sealed class DnsListenerException(IPEndPoint endpoint, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public IPEndPoint Endpoint { get; } = endpoint;
}
