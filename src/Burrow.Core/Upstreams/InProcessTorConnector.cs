using System.Net;
using System.Net.Sockets;
using Burrow.Core.Dns;
using Burrow.Tor.Client;
using Burrow.Tor.Dir;
using Microsoft.Extensions.Logging;

namespace Burrow.Core.Upstreams;

/// <summary>
/// The built-in Tor client (Burrow.Tor) as the upstream: bootstrap on start (progress as
/// percent and phase), one Tor stream per redirected connection, isolation keys passed through.
/// Uses only Burrow.Tor's public surface (<see cref="TorClient"/> and its types). It is also the DNS
/// listener's resolver: A and AAAA lookups are RELAY_RESOLVE on an exit circuit of the lookup's isolation key.
/// </summary>
public sealed class InProcessTorConnector : ITorConnector, IDnsResolver
{
    /// <summary>RELAY_RESOLVED carries a TTL the facade does not pass on; a minute keeps answers fresh.</summary>
    private static readonly TimeSpan ResolveTtl = TimeSpan.FromSeconds(60);

    private readonly TorClient _client;

    public InProcessTorConnector(TorClientOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _client = new TorClient(options, loggerFactory);
    }

    public string Description => "in-process Tor client";

    public bool SupportsOnionServices => true;

    /// <summary>The client itself, for status, circuits and new identity (Get-BurrowTorClient and friends).</summary>
    public TorClient Client => _client;

    public async Task StartAsync(IProgress<UpstreamProgress>? progress, CancellationToken cancellationToken)
    {
        var mapped = progress == null ? null : new ProgressMap(progress);
        try
        {
            await _client.BootstrapAsync(mapped, cancellationToken).ConfigureAwait(false);
        }
        catch (TorClientException e)
        {
            throw new UpstreamException(UpstreamErrorKind.ConnectorUnavailable, $"the in-process Tor client could not start: {e.Message}", e);
        }
    }

    public async ValueTask<UpstreamConnection> ConnectAsync(IPEndPoint destination, string isolationKey, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await _client.ConnectAsync(destination, isolationKey, cancellationToken).ConfigureAwait(false);
            return new TorUpstreamConnection(connection);
        }
        catch (TorClientException e)
        {
            throw new UpstreamException(KindOf(e), e.Message, e);
        }
    }

    public async ValueTask<UpstreamConnection> ConnectAsync(string host, int port, string isolationKey, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await _client.ConnectAsync(host, port, isolationKey, cancellationToken).ConfigureAwait(false);
            return new TorUpstreamConnection(connection);
        }
        catch (TorClientException e)
        {
            throw new UpstreamException(KindOf(e), e.Message, e);
        }
    }

    /// <summary>Opens the stream with optimistic data: what the application sent meanwhile goes out as DATA
    /// right after BEGIN, a circuit round trip before CONNECTED could come back.</summary>
    public async ValueTask<UpstreamConnection> ConnectAsync(IPEndPoint destination, string? host, string isolationKey, OptimisticData early,
        CancellationToken cancellationToken)
    {
        try
        {
            var connection = host is null
                ? await _client.ConnectAsync(destination, isolationKey, early, cancellationToken).ConfigureAwait(false)
                : await _client.ConnectAsync(host, destination.Port, isolationKey, early, cancellationToken).ConfigureAwait(false);
            return new TorUpstreamConnection(connection);
        }
        catch (TorClientException e)
        {
            throw new UpstreamException(KindOf(e), e.Message, e);
        }
    }

    async ValueTask<DnsLookup> IDnsResolver.ResolveAsync(string name, DnsQueryKind kind, string isolationKey, CancellationToken cancellationToken)
    {
        IReadOnlyList<IPAddress> addresses;
        try
        {
            addresses = await _client.ResolveAsync(name, isolationKey, cancellationToken).ConfigureAwait(false);
        }
        catch (TorClientException e)
        {
            return DnsLookup.Failed(e.Kind switch
            {
                TorClientErrorKind.ResolveFailed or TorClientErrorKind.HostUnreachable => DnsLookupFailure.NotFound,
                TorClientErrorKind.ExitPolicy => DnsLookupFailure.Refused,
                TorClientErrorKind.Timeout => DnsLookupFailure.Timeout,
                _ => DnsLookupFailure.UpstreamDown,
            }, e.Kind.ToString());
        }
        var family = kind == DnsQueryKind.A ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        return DnsLookup.Found(addresses.Where(a => a.AddressFamily == family).ToArray(), ResolveTtl);
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    internal static UpstreamErrorKind KindOf(TorClientException e) => e.Kind switch
    {
        TorClientErrorKind.NotBootstrapped or TorClientErrorKind.Disposed or TorClientErrorKind.DirectoryFailed
            or TorClientErrorKind.UnsupportedProtocols => UpstreamErrorKind.ConnectorUnavailable,
        TorClientErrorKind.NoPath or TorClientErrorKind.ExitPolicy => UpstreamErrorKind.NotAllowed,
        TorClientErrorKind.CircuitFailed => UpstreamErrorKind.NetworkUnreachable,
        TorClientErrorKind.ConnectionRefused => UpstreamErrorKind.ConnectionRefused,
        TorClientErrorKind.ResolveFailed => UpstreamErrorKind.HostUnreachable,
        TorClientErrorKind.Timeout => UpstreamErrorKind.Timeout,
        TorClientErrorKind.HostUnreachable => UpstreamErrorKind.HostUnreachable,
        TorClientErrorKind.ConnectionReset => UpstreamErrorKind.ConnectionRefused,
        TorClientErrorKind.ProtocolError => UpstreamErrorKind.ProtocolError,
        TorClientErrorKind.CircuitClosed => UpstreamErrorKind.NetworkUnreachable,
        _ => UpstreamErrorKind.Other,
    };

    private sealed class ProgressMap(IProgress<UpstreamProgress> inner) : IProgress<BootstrapStatus>
    {
        public void Report(BootstrapStatus value) => inner.Report(new UpstreamProgress(value.Percent, value.Summary));
    }

    /// <summary>A Tor stream as an upstream connection.</summary>
    private sealed class TorUpstreamConnection(TorConnection connection) : UpstreamConnection
    {
        public override Stream Stream => connection;

        /// <summary>"exit1 (A1B2C3D4..)".</summary>
        public override string? Circuit => connection.ExitDescription;

        public override long? CircuitId => connection.CircuitId;

        /// <summary>Tor streams have no half-close: like C tor when an application closes its side, end the
        /// stream (END after the queued data). Without this a keep-alive exit connection would hold the
        /// flow open until the idle timeout.</summary>
        public override ValueTask CompleteWritesAsync()
        {
            connection.EndWrites();
            return ValueTask.CompletedTask;
        }

        public override void Abort() => connection.Dispose();

        public override ValueTask DisposeAsync() => connection.DisposeAsync();
    }
}
