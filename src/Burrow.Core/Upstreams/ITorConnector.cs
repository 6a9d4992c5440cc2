using System.Net;

namespace Burrow.Core.Upstreams;

/// <summary>
/// Opens Tor streams to destinations: the in-process client, or an existing Tor/Arti SocksPort
/// (explicit option). The transparent listener only knows this interface.
/// </summary>
public interface ITorConnector : IAsyncDisposable
{
    /// <summary>What the connector is, for flows and logs (e.g. "socks5 127.0.0.1:9050").</summary>
    string Description { get; }

    /// <summary>Whether a host-name connection to a ".onion" name reaches the onion service (the in-process
    /// client does); when false the forwarder refuses such flows without sending anything.</summary>
    bool SupportsOnionServices => false;

    /// <summary>Gets ready to carry streams (bootstrap for the in-process client; a reachability check for SOCKS).</summary>
    Task StartAsync(IProgress<UpstreamProgress>? progress, CancellationToken cancellationToken);

    /// <summary>Opens a stream to <paramref name="destination"/>. Streams with different
    /// <paramref name="isolationKey"/>s never share a circuit. Failures are <see cref="UpstreamException"/>.</summary>
    ValueTask<UpstreamConnection> ConnectAsync(IPEndPoint destination, string isolationKey, CancellationToken cancellationToken);

    /// <summary>Opens a stream to a host name and port: the exit resolves the name (a connection to a virtual
    /// address of the DNS listener). Same isolation and failures as the address form.</summary>
    ValueTask<UpstreamConnection> ConnectAsync(string host, int port, string isolationKey, CancellationToken cancellationToken);
}
