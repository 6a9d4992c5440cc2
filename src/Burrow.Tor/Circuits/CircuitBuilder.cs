// Building circuits (tor-spec 5.1: CREATE2 with ntor or CREATE_FAST to the first hop, 5.1.2 EXTEND2 in
// RELAY_EARLY to each further one; 5.3: no relay twice on a path).
using Burrow.Tor.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Tor.Circuits;

/// <summary>
/// The one way circuits are built, for the exit-circuit pool, the directory circuits and tests: a channel
/// to the first relay (shared through the <see cref="ChannelManager"/>), CREATE2 (ntor) or CREATE_FAST to
/// it, then EXTEND2 to each further relay, each hop within <see cref="HopTimeout"/>. Path selection is the
/// caller's business; this refuses paths no relay would accept (too long, a relay twice). A circuit that
/// fails or is cancelled part-way is closed (DESTROY).
/// </summary>
internal sealed class CircuitBuilder
{
    private readonly ChannelManager _channels;
    private readonly Func<CircuitParameters> _parameters;
    private readonly ILogger _logger;

    public CircuitBuilder(ChannelManager channels, CircuitParameters? parameters = null, ILogger? logger = null)
        : this(channels, () => parameters ?? CircuitParameters.Default, logger)
    {
    }

    /// <summary>A builder whose circuits take the parameters current when each is built (they follow the consensus).</summary>
    public CircuitBuilder(ChannelManager channels, Func<CircuitParameters> parameters, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(channels);
        ArgumentNullException.ThrowIfNull(parameters);
        _channels = channels;
        _parameters = parameters;
        _logger = logger ?? NullLogger.Instance;
    }

    public CircuitParameters Parameters => _parameters();

    /// <summary>How long each hop may take to answer CREATE2 / CREATE_FAST / EXTEND2.</summary>
    public TimeSpan HopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Given to each circuit: how long BEGIN, BEGIN_DIR and RESOLVE wait for the exit.</summary>
    public TimeSpan StreamOpenTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Given to each circuit: quiet time before a liveness probe (<see cref="Circuit.StallProbeAfter"/>).</summary>
    public TimeSpan StallProbeAfter { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Given to each circuit: how long an unanswered probe waits (<see cref="Circuit.StallTimeout"/>).</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Builds a circuit through <paramref name="path"/> (first hop first) with ntor v3 at every hop that
    /// offers it (ntor elsewhere), asking the last hop for congestion control.
    /// Throws <see cref="ArgumentException"/> for a path no relay would accept, <see cref="ChannelException"/>
    /// when the first relay cannot be reached or proves the wrong identity, and <see cref="CircuitException"/>
    /// when a hop fails or times out. <paramref name="hopStarted"/> hears the index of each hop as it starts
    /// (0: the channel and the first hop), so a caller can tell whose fault a failure was.</summary>
    public Task<Circuit> BuildAsync(IReadOnlyList<RelayTarget> path, CancellationToken cancellationToken = default, Action<int>? hopStarted = null)
        => BuildAsync(path, congestionControl: true, cancellationToken, hopStarted);

    /// <summary>As <see cref="BuildAsync(IReadOnlyList{RelayTarget}, CancellationToken, Action{int})"/>; with
    /// <paramref name="congestionControl"/> false no hop is asked for congestion control (onion-service
    /// rendezvous circuits: their streams end past the last hop, at the service).</summary>
    public Task<Circuit> BuildAsync(IReadOnlyList<RelayTarget> path, bool congestionControl, CancellationToken cancellationToken = default, Action<int>? hopStarted = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Count is < 1 or > Circuit.MaxHops)
            throw new ArgumentException($"A path has 1 to {Circuit.MaxHops} relays, not {path.Count}.", nameof(path));
        var seenRsa = new HashSet<Identities.RsaIdentity>();
        var seenEd = new HashSet<Identities.Ed25519Identity>();
        foreach (var relay in path)
        {
            ArgumentNullException.ThrowIfNull(relay, nameof(path));
            if (!seenRsa.Add(relay.RsaIdentity)
                || (relay.Ed25519Identity is { } ed && !seenEd.Add(ed)))
                throw new ArgumentException($"Relay ${relay.Fingerprint} appears twice in the path (tor-spec 5.3: no relay twice).", nameof(path));
        }
        return BuildCoreAsync(path[0].Channel, path, hopStarted, cancellationToken, congestionControl);
    }

    /// <summary>A one-hop circuit to <paramref name="relay"/> whose first hop uses CREATE_FAST (tor-spec 5.1.5):
    /// for directory requests to a relay whose ntor key is not known yet. The channel handshake has proved
    /// the relay's identity; CREATE_FAST adds nothing to that.</summary>
    public Task<Circuit> BuildOneHopFastAsync(ChannelTarget relay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(relay);
        return BuildCoreAsync(relay, [null], null, cancellationToken);
    }

    /// <summary><paramref name="hops"/>[0] null means CREATE_FAST to <paramref name="first"/>.</summary>
    private async Task<Circuit> BuildCoreAsync(ChannelTarget first, IReadOnlyList<RelayTarget?> hops, Action<int>? hopStarted, CancellationToken cancellationToken,
        bool congestionControl = true)
    {
        hopStarted?.Invoke(0);
        var channel = await _channels.GetChannelAsync(first, cancellationToken).ConfigureAwait(false);
        var circuit = new Circuit(channel, _parameters(), _logger)
        {
            StreamOpenTimeout = StreamOpenTimeout,
            StallProbeAfter = StallProbeAfter,
            StallTimeout = StallTimeout,
        };
        try
        {
            for (var i = 0; i < hops.Count; i++)
            {
                if (i > 0)
                    hopStarted?.Invoke(i);
                // Proposal 324 section 10.1: congestion control with the last hop of a multi-hop circuit
                // (the one streams end at), never on one-hop circuits.
                var negotiateCc = congestionControl && i == hops.Count - 1 && hops.Count > 1;
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(HopTimeout);
                try
                {
                    if (hops[i] is not { } relay)
                        await circuit.CreateFirstHopFastAsync(timeout.Token).ConfigureAwait(false);
                    else if (i == 0)
                        await circuit.CreateFirstHopAsync(relay, timeout.Token, negotiateCc).ConfigureAwait(false);
                    else
                        await circuit.ExtendAsync(relay, timeout.Token, negotiateCc).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    var error = new CircuitException(CircuitErrorKind.Timeout,
                        $"Circuit {circuit.CircId:X8}: hop {i + 1} ({hops[i]?.ToString() ?? first.ToString()}) did not answer within {HopTimeout.TotalSeconds:0.#} s.", e);
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
