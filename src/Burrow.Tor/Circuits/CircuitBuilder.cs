using Burrow.Tor.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Tor.Circuits;

/// <summary>
/// Builds circuits along a given path (tor-spec 5.3): a channel to the first relay (shared through the
/// <see cref="ChannelManager"/>), CREATE2 to it, then EXTEND2 to each further relay. Path selection is
/// the caller's business; this only refuses paths no relay would accept.
/// </summary>
internal sealed class CircuitBuilder
{
    private readonly ChannelManager _channels;
    private readonly ILogger _logger;

    public CircuitBuilder(ChannelManager channels, CircuitParameters? parameters = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(channels);
        _channels = channels;
        Parameters = parameters ?? CircuitParameters.Default;
        _logger = logger ?? NullLogger.Instance;
    }

    public CircuitParameters Parameters { get; }

    /// <summary>How long each hop may take to answer CREATE2 / EXTEND2.</summary>
    public TimeSpan HopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Given to each circuit: how long BEGIN, BEGIN_DIR and RESOLVE wait for the exit.</summary>
    public TimeSpan StreamOpenTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Builds a circuit through <paramref name="path"/> (first hop first). Throws
    /// <see cref="ChannelException"/> when the first relay cannot be reached or proves the wrong identity,
    /// and <see cref="CircuitException"/> when a hop fails; a failed circuit is destroyed.</summary>
    public async Task<Circuit> BuildAsync(IReadOnlyList<RelayTarget> path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Count is < 1 or > Circuit.MaxHops)
            throw new ArgumentException($"A path has 1 to {Circuit.MaxHops} relays, not {path.Count}.", nameof(path));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var relay in path)
        {
            ArgumentNullException.ThrowIfNull(relay, nameof(path));
            if (!seen.Add(relay.Fingerprint))
                throw new ArgumentException($"Relay ${relay.Fingerprint} appears twice in the path (tor-spec 5.3: no relay twice).", nameof(path));
        }

        var channel = await _channels.GetChannelAsync(path[0].Channel, cancellationToken).ConfigureAwait(false);
        var circuit = new Circuit(channel, Parameters, _logger) { StreamOpenTimeout = StreamOpenTimeout };
        try
        {
            for (var i = 0; i < path.Count; i++)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(HopTimeout);
                try
                {
                    if (i == 0)
                        await circuit.CreateFirstHopAsync(path[0], timeout.Token).ConfigureAwait(false);
                    else
                        await circuit.ExtendAsync(path[i], timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    var error = new CircuitException(CircuitErrorKind.Timeout,
                        $"Circuit {circuit.CircId:X8}: hop {i + 1} ({path[i]}) did not answer within {HopTimeout.TotalSeconds:0.#} s.", e);
                    circuit.Close(error);
                    throw error;
                }
            }
            circuit.MarkBuilt();
            return circuit;
        }
        catch
        {
            circuit.Close();
            throw;
        }
    }
}
