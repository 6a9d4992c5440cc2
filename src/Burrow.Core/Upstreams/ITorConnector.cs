using System.Net;
using Burrow.Tor.Client;

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

    /// <summary>Opens a stream to an address (<paramref name="host"/> null) or a host name, taking what the
    /// application sends meanwhile from <paramref name="early"/>. A connector that can send it before the
    /// stream is open does (the in-process client: optimistic data); this default opens the stream, then
    /// seals <paramref name="early"/> and writes its bytes first.</summary>
    async ValueTask<UpstreamConnection> ConnectAsync(IPEndPoint destination, string? host, string isolationKey, OptimisticData early,
        CancellationToken cancellationToken)
    {
        var connection = host is null
            ? await ConnectAsync(destination, isolationKey, cancellationToken).ConfigureAwait(false)
            : await ConnectAsync(host, destination.Port, isolationKey, cancellationToken).ConfigureAwait(false);
        try
        {
            var bytes = early.Seal();
            if (!bytes.IsEmpty)
                await connection.Stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return connection;
    }
}
