// One-hop directory circuits (dir-spec 4, 5: directory requests over BEGIN_DIR, tor-spec 6.2.1).
using Burrow.Tor.Channels;
using Burrow.Tor.Circuits;
using Burrow.Tor.Dir;
using Burrow.Tor.Identities;
using Burrow.Tor.NetDoc;
using Burrow.Tor.Streams;
using Microsoft.Extensions.Logging;

namespace Burrow.Tor.CircMgr;

/// <summary>
/// Opens BEGIN_DIR streams for the directory manager: one one-hop circuit per directory server,
/// reused for its requests while it stays open. The first hop uses ntor when the server's key is
/// known (caches from the consensus) and CREATE_FAST otherwise (configured fallbacks); either way
/// the channel handshake has proved the identity the configuration or consensus names.
/// </summary>
internal sealed class DirectoryCircuits : IDirectoryStreamOpener, IAsyncDisposable
{
    private const int MaxCircuits = 16;
    private readonly CircuitBuilder _builder;
    private readonly TimeSpan _streamTimeout;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private readonly Dictionary<RsaIdentity, Task<Circuit>> _circuits = [];
    private bool _disposed;
    // Disposal ends builds in progress at once (a stop during bootstrap must not wait out the timeout).
    private readonly CancellationTokenSource _disposing = new();

    /// <summary><paramref name="builder"/> builds the one-hop circuits (its hop timeout applies);
    /// <paramref name="streamTimeout"/> bounds building one and opening each directory stream.</summary>
    public DirectoryCircuits(CircuitBuilder builder, TimeSpan streamTimeout, ILogger logger)
    {
        _builder = builder;
        _streamTimeout = streamTimeout;
        _logger = logger;
    }

    public async Task<Stream> OpenAsync(DirectoryServer server, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        for (var attempt = 0; ; attempt++)
        {
            var circuitTask = GetOrBuild(server);
            Circuit circuit;
            try
            {
                circuit = await circuitTask.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                Forget(server.RsaIdentity, circuitTask);
                throw;
            }
            try
            {
                return await circuit.OpenDirStreamAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (attempt == 0 && circuit.IsClosed && e is not OperationCanceledException)
            {
                // The reused circuit died since its last use: build a fresh one once.
                Forget(server.RsaIdentity, circuitTask);
            }
        }
    }

    private Task<Circuit> GetOrBuild(DirectoryServer server)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_circuits.TryGetValue(server.RsaIdentity, out var existing)
                && !(existing.IsFaulted || existing.IsCanceled || (existing.IsCompletedSuccessfully && existing.Result.IsClosed)))
                return existing;
            if (_circuits.Count >= MaxCircuits)
            {
                // Keep the table bounded: drop a finished entry (its circuit closes when idle streams end).
                var victim = _circuits.FirstOrDefault(kv => kv.Value.IsCompleted);
                if (victim.Value != null)
                {
                    _circuits.Remove(victim.Key);
                    if (victim.Value.IsCompletedSuccessfully)
                        victim.Value.Result.Close();
                }
            }
            var task = BuildAsync(server);
            _circuits[server.RsaIdentity] = task;
            return task;
        }
    }

    private void Forget(RsaIdentity id, Task<Circuit> task)
    {
        lock (_lock)
        {
            if (_circuits.TryGetValue(id, out var current) && current == task)
                _circuits.Remove(id);
        }
    }

    private async Task<Circuit> BuildAsync(DirectoryServer server)
    {
        // Belongs to every request waiting for it: bounded by the channel's handshake timeout and
        // the hop timeout below, not by one caller's token.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_disposing.Token);
        timeout.CancelAfter(_streamTimeout);
        Exception? last = null;
        foreach (var orPort in server.OrPorts)
        {
            try
            {
                var target = new ChannelTarget(orPort, server.RsaIdentity, server.Ed25519Identity);
                var circuit = server.NtorOnionKey.Length == 32
                    ? await _builder.BuildAsync([new RelayTarget(server.RsaIdentity, server.Ed25519Identity, server.NtorOnionKey, orPort)], timeout.Token).ConfigureAwait(false)
                    : await _builder.BuildOneHopFastAsync(target, timeout.Token).ConfigureAwait(false);
                _logger.LogDebug("Directory circuit to {Server} at {OrPort} ready.", server, orPort);
                return circuit;
            }
            catch (Exception e) when (e is not ObjectDisposedException)
            {
                last = e is OperationCanceledException
                    ? new TimeoutException($"directory circuit to {server} at {orPort} not ready within {_streamTimeout.TotalSeconds:0} s")
                    : e;
            }
        }
        throw last ?? new InvalidOperationException($"{server} has no ORPort");
    }

    public async ValueTask DisposeAsync()
    {
        List<Task<Circuit>> all;
        lock (_lock)
        {
            _disposed = true;
            all = [.. _circuits.Values];
            _circuits.Clear();
        }
        _disposing.Cancel();
        foreach (var t in all)
        {
            try
            {
                var c = await t.ConfigureAwait(false);
                await c.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // A circuit that never got built has nothing to close.
            }
        }
    }
}
