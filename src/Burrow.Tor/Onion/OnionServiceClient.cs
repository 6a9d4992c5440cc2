// Connecting to a v3 onion service (rend-spec-v3 2.2 descriptor fetch, 3.2 INTRODUCE1, 4 rendezvous):
// 1. the descriptor: blinded key and subcredential for the current period, the responsible HSDirs on the
//    hash ring, GET /tor/hs/3/<blinded key> over BEGIN_DIR on a 3-hop circuit, verify and decrypt (cached);
// 2. a rendezvous circuit to a random relay, ESTABLISH_RENDEZVOUS with a fresh cookie;
// 3. INTRODUCE1 (hs-ntor) on a 3-hop circuit to an introduction point, INTRODUCE_ACK; other points on failure;
// 4. RENDEZVOUS2 completes hs-ntor; the service becomes the rendezvous circuit's virtual last hop and the
//    stream is a BEGIN with an empty address and the port.
// Every step is bounded: attempts in count, waits in time, the whole connection by ConnectTimeout.
using System.Security.Cryptography;
using Burrow.Tor.Cells;
using Burrow.Tor.Channels;
using Burrow.Tor.CircMgr;
using Burrow.Tor.Circuits;
using Burrow.Tor.Dir;
using Burrow.Tor.Guards;
using Burrow.Tor.NetDir;
using Burrow.Tor.NetDoc;
using Burrow.Tor.PathSelection;
using Burrow.Tor.Protocol.Onion;
using Burrow.Tor.Streams;
using Microsoft.Extensions.Logging;

namespace Burrow.Tor.Onion;

/// <summary>The onion-service client: one per <see cref="Client.TorClient"/>.</summary>
internal sealed class OnionServiceClient
{
    private const int MaxDescriptorBytes = 64 * 1024;

    private readonly Func<NetworkDirectory?> _directory;
    private readonly PathSelector _selector;
    private readonly GuardManager _guards;
    private readonly CircuitBuilder _builder;
    private readonly OnionServiceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public OnionServiceClient(Func<NetworkDirectory?> directory, PathSelector selector, GuardManager guards, CircuitBuilder builder,
        OnionServiceOptions options, TimeProvider time, ILogger logger)
    {
        _directory = directory;
        _selector = selector;
        _guards = guards;
        _builder = builder;
        _options = options;
        _time = time;
        _logger = logger;
        Descriptors = new OnionDescriptorCache(options.MaxCachedDescriptors);
    }

    public OnionDescriptorCache Descriptors { get; }

    /// <summary>Fetches (or reuses) the descriptor, then rendezvous and introduction; a stream to <paramref name="port"/>.</summary>
    /// <exception cref="OnionException">The kind says what failed; the message names the step and the attempts.</exception>
    public async Task<(TorStream Stream, Circuit Circuit, CircuitInfo Info)> ConnectAsync(OnionAddress address, int port, CancellationToken cancellationToken)
    {
        if (port is < 1 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(port), port, "a port is 1..65535");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.ConnectTimeout);
        try
        {
            var (inner, fromCache) = await GetDescriptorAsync(address, deadline.Token).ConfigureAwait(false);
            try
            {
                return await RendezvousAsync(address, inner, port, deadline.Token).ConfigureAwait(false);
            }
            catch (OnionException e) when (fromCache && e.Kind == OnionErrorKind.IntroductionFailed)
            {
                // The cached descriptor's intro points may be stale: once more with a fresh one.
                Descriptors.Remove(address);
                (inner, _) = await GetDescriptorAsync(address, deadline.Token).ConfigureAwait(false);
                return await RendezvousAsync(address, inner, port, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OnionException(OnionErrorKind.CircuitFailed, $"connecting to {address} did not finish within {_options.ConnectTimeout.TotalSeconds:0} s", e);
        }
    }

    // ------------------------------------------------------------------ descriptor

    internal async Task<(OnionInnerLayer Inner, bool FromCache)> GetDescriptorAsync(OnionAddress address, CancellationToken cancellationToken)
    {
        var dir = _directory() ?? throw new OnionException(OnionErrorKind.CircuitFailed, "no network directory yet");
        var period = HsDirSchedule.CurrentPeriod(dir.Consensus, _options.TestingNetwork);
        var now = _time.GetUtcNow();
        if (Descriptors.TryGet(address, period, now, out var cached))
            return (cached, true);
        var blinded = OnionKeyBlinding.BlindPublicKey(address.IdentityKey, period);
        var subcredential = OnionKeyBlinding.Subcredential(address.IdentityKey, blinded);
        var authKey = await OnionClientAuthStore.FindAsync(_options.ClientAuthDir, address, cancellationToken).ConfigureAwait(false);

        var replicas = dir.Params.Get("hsdir_n_replicas", HsDirRing.DefaultReplicas, 1, 16);
        var spread = dir.Params.Get("hsdir_spread_fetch", HsDirRing.DefaultSpreadFetch, 1, 128);
        var (primary, alternate) = HsDirSchedule.SharedRandomForFetch(dir.Consensus, period);
        var candidates = Shuffle(HsDirRing.Build(dir.Relays, period, primary).ResponsibleForFetch(blinded, replicas, spread)).ToList();
        foreach (var r in Shuffle(HsDirRing.Build(dir.Relays, period, alternate).ResponsibleForFetch(blinded, replicas, spread)))
            if (!candidates.Contains(r))
                candidates.Add(r);
        if (candidates.Count == 0)
            throw new OnionException(OnionErrorKind.ServiceNotFound, "the consensus lists no HSDir relays with Ed25519 identities");

        // As C tor writes it: base64 without padding (rend-spec-v3 2.2.6).
        var path = "/tor/hs/3/" + Convert.ToBase64String(blinded).TrimEnd('=');
        var notFound = 0;
        var failures = new List<string>();
        foreach (var hsdir in candidates.Take(_options.MaxHsDirAttempts))
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var body = await FetchAsync(dir, hsdir, path, cancellationToken).ConfigureAwait(false);
                if (body == null)
                {
                    notFound++;
                    continue;
                }
                var text = System.Text.Encoding.Latin1.GetString(body);
                var outer = OnionDescriptor.ParseAndVerify(text, blinded, now);
                var inner = OnionDescriptorLayers.Decrypt(outer, subcredential, authKey);
                var expires = Min(now.AddMinutes(outer.LifetimeMinutes), period.End, outer.CertificateExpires);
                Descriptors.Add(address, period, inner, expires);
                _logger.LogDebug("Onion descriptor for a service fetched from HSDir {HsDir}: {Count} introduction points.", hsdir.Nickname, inner.IntroPoints.Count);
                return (inner, false);
            }
            catch (OnionException e) when (e.Kind == OnionErrorKind.InvalidDescriptor)
            {
                failures.Add($"{hsdir.Nickname}: {e.Message}");
            }
            catch (Exception e) when (e is CircuitException or ChannelException or TorStreamException or DirectoryException or IOException or TimeoutException
                                          || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                failures.Add($"{hsdir.Nickname}: {e.Message}");
            }
        }
        if (failures.Count == 0)
            throw new OnionException(OnionErrorKind.ServiceNotFound,
                $"{address}: no descriptor on the {notFound} responsible HSDirs asked: the onion service does not exist or is not online");
        var kind = failures.Count > 0 && failures.All(f => f.Contains("onion service descriptor", StringComparison.Ordinal)) ? OnionErrorKind.InvalidDescriptor : OnionErrorKind.ServiceNotFound;
        throw new OnionException(kind, $"{address}: no usable descriptor from {notFound + failures.Count} HSDirs ({notFound} had none; {string.Join("; ", failures.Take(3))})");
    }

    /// <summary>The descriptor body, or null for 404.</summary>
    private async Task<byte[]?> FetchAsync(NetworkDirectory dir, Relay hsdir, string path, CancellationToken cancellationToken)
    {
        var circuit = await BuildToAsync(dir, hsdir, Target(hsdir), congestionControl: true, cancellationToken).ConfigureAwait(false);
        await using var _ = circuit.ConfigureAwait(false);
        using var step = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        step.CancelAfter(_options.StepTimeout);
        var stream = await circuit.OpenDirStreamAsync(step.Token).ConfigureAwait(false);
        await using var __ = stream.ConfigureAwait(false);
        var response = await DirHttp.GetAsync(stream, path, MaxDescriptorBytes, MaxDescriptorBytes, step.Token).ConfigureAwait(false);
        if (response.StatusCode == 404)
            return null;
        if (response.StatusCode != 200)
            throw new IOException($"HTTP {response.StatusCode} {response.ReasonPhrase}");
        return response.Body;
    }

    // ------------------------------------------------------------------ rendezvous and introduction

    private async Task<(TorStream, Circuit, CircuitInfo)> RendezvousAsync(OnionAddress address, OnionInnerLayer inner, int port, CancellationToken cancellationToken)
    {
        if (inner.PowParams is { SuggestedEffort: > 0 } pow)
            throw new OnionException(OnionErrorKind.ProofOfWorkRequired,
                $"{address} asks for a proof of work ({pow.Type}, suggested effort {pow.SuggestedEffort}); this client does not solve the puzzle (prop 327)");
        if (inner.IntroPoints.Count == 0)
            throw new OnionException(OnionErrorKind.IntroductionFailed, $"{address}: the descriptor lists no usable introduction points");
        var dir = _directory() ?? throw new OnionException(OnionErrorKind.CircuitFailed, "no network directory yet");
        var period = HsDirSchedule.CurrentPeriod(dir.Consensus, _options.TestingNetwork);
        var blinded = OnionKeyBlinding.BlindPublicKey(address.IdentityKey, period);
        var subcredential = OnionKeyBlinding.Subcredential(address.IdentityKey, blinded);

        var failures = new List<string>();
        var intros = Shuffle(inner.IntroPoints).ToList();
        var introIndex = 0;
        for (var rendAttempt = 1; rendAttempt <= _options.MaxRendezvousAttempts && introIndex < Math.Min(intros.Count, _options.MaxIntroAttempts); rendAttempt++)
        {
            Circuit? rend = null;
            try
            {
                var (circuit, rendRelay, cookie, joined) = await EstablishRendezvousAsync(dir, intros, cancellationToken).ConfigureAwait(false);
                rend = circuit;
                while (introIndex < Math.Min(intros.Count, _options.MaxIntroAttempts))
                {
                    var intro = intros[introIndex++];
                    var handshake = new HsNtorClient(intro.AuthKey, intro.EncKey, subcredential);
                    try
                    {
                        await IntroduceAsync(dir, intro, handshake, cookie, rendRelay, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (IsAttemptFailure(e, cancellationToken))
                    {
                        failures.Add($"introduction point {introIndex}: {e.Message}");
                        continue;
                    }
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    wait.CancelAfter(_options.StepTimeout);
                    byte[] info;
                    try
                    {
                        info = await joined.Task.WaitAsync(wait.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        // The service may be gone, or the intro point lied: a new rendezvous with the next one.
                        failures.Add($"introduction point {introIndex}: no RENDEZVOUS2 within {_options.StepTimeout.TotalSeconds:0} s");
                        break;
                    }
                    var seed = handshake.CompleteSeed(info);
                    circuit.OnionCells = null;
                    circuit.AddVirtualHop(HsNtorClient.ExpandKeys(seed));
                    CryptographicOperations.ZeroMemory(seed);
                    var stream = await OpenAsync(circuit, port, cancellationToken).ConfigureAwait(false);
                    rend = null;   // the caller owns it now
                    var info2 = new CircuitInfo([.. Describe(circuit, dir), (address.Host, rendRelay.RsaIdentity)]);
                    return (stream, circuit, info2);
                }
            }
            catch (Exception e) when (IsAttemptFailure(e, cancellationToken))
            {
                failures.Add($"rendezvous {rendAttempt}: {e.Message}");
            }
            finally
            {
                rend?.Close();
            }
        }
        throw new OnionException(OnionErrorKind.IntroductionFailed,
            $"{address}: introduction failed after {failures.Count} attempts ({string.Join("; ", failures.Take(4))})");
    }

    private IEnumerable<(string, Identities.RsaIdentity)> Describe(Circuit circuit, NetworkDirectory dir) => _lastPath.TryGetValue(circuit, out var p) ? p : [];

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<Circuit, List<(string, Identities.RsaIdentity)>> _lastPath = new();

    private async Task<(Circuit Circuit, Relay RendPoint, byte[] Cookie, TaskCompletionSource<byte[]> Joined)> EstablishRendezvousAsync(
        NetworkDirectory dir, IReadOnlyList<OnionIntroPoint> intros, CancellationToken cancellationToken)
    {
        var introIds = intros.SelectMany(i => i.LinkSpecifiers.OfType<LegacyIdLinkSpecifier>().Select(l => l.Id)).ToHashSet();
        var rendPoint = _selector.ChooseMiddle(dir, [], stable: false, r => !introIds.Contains(r.RsaIdentity) && r.HasNtorOnionKey)
            ?? throw new OnionException(OnionErrorKind.CircuitFailed, "no relay can serve as rendezvous point");
        var circuit = await BuildToAsync(dir, rendPoint, Target(rendPoint), congestionControl: false, cancellationToken).ConfigureAwait(false);
        try
        {
            var cookie = RandomNumberGenerator.GetBytes(20);
            var established = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var joined = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            var last = circuit.HopCount - 1;
            circuit.OnionCells = (hop, command, data) =>
            {
                if (hop != last)
                    return;
                if (command == OnionRelayCommands.RendezvousEstablished)
                    established.TrySetResult();
                else if (command == OnionRelayCommands.Rendezvous2)
                    joined.TrySetResult(data.ToArray());
            };
            _ = circuit.Completion.ContinueWith(_ =>
            {
                var error = new OnionException(OnionErrorKind.RendezvousFailed, "the rendezvous circuit closed: " + circuit.CloseReason?.Message);
                established.TrySetException(error);
                joined.TrySetException(error);
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            await circuit.SendOnionCellAsync(OnionRelayCommands.EstablishRendezvous, cookie, cancellationToken).ConfigureAwait(false);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(_options.StepTimeout);
            try
            {
                await established.Task.WaitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new OnionException(OnionErrorKind.RendezvousFailed, $"rendezvous point {rendPoint.Nickname} did not confirm within {_options.StepTimeout.TotalSeconds:0} s", e);
            }
            return (circuit, rendPoint, cookie, joined);
        }
        catch
        {
            circuit.Close();
            throw;
        }
    }

    private async Task IntroduceAsync(NetworkDirectory dir, OnionIntroPoint intro, HsNtorClient handshake, byte[] cookie, Relay rendPoint, CancellationToken cancellationToken)
    {
        var legacy = intro.LinkSpecifiers.OfType<LegacyIdLinkSpecifier>().First().Id;
        var known = dir.ByRsaId(legacy);
        RelayTarget target;
        if (known != null && known.HasNtorOnionKey)
            target = Target(known);
        else
        {
            var v4 = intro.LinkSpecifiers.OfType<IPv4LinkSpecifier>().FirstOrDefault()
                ?? throw new OnionException(OnionErrorKind.IntroductionFailed, "the introduction point is not in the consensus and has no IPv4 address");
            var ed = intro.LinkSpecifiers.OfType<Ed25519IdLinkSpecifier>().FirstOrDefault()?.Id;
            target = new RelayTarget(legacy, ed, intro.OnionKey, new System.Net.IPEndPoint(v4.Address, v4.Port));
        }
        var circuit = await BuildToAsync(dir, known, target, congestionControl: true, cancellationToken).ConfigureAwait(false);
        await using var _ = circuit.ConfigureAwait(false);
        var ack = new TaskCompletionSource<ushort>(TaskCreationOptions.RunContinuationsAsynchronously);
        var last = circuit.HopCount - 1;
        circuit.OnionCells = (hop, command, data) =>
        {
            if (hop != last || command != OnionRelayCommands.IntroduceAck)
                return;
            try
            {
                ack.TrySetResult(Introduce1Builder.AckStatus(data));
            }
            catch (OnionException e)
            {
                ack.TrySetException(e);
            }
        };
        var header = Introduce1Builder.Header(intro.AuthKey);
        var rendSpecs = RendezvousSpecifiers(rendPoint);
        var plaintext = Introduce1Builder.Plaintext(cookie, rendPoint.NtorOnionKey.Span, rendSpecs, header.Length);
        var body = handshake.SealIntroduce1(header, plaintext);
        await circuit.SendOnionCellAsync(OnionRelayCommands.Introduce1, body, cancellationToken).ConfigureAwait(false);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(_options.StepTimeout);
        ushort status;
        try
        {
            status = await ack.Task.WaitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OnionException(OnionErrorKind.IntroductionFailed, $"no INTRODUCE_ACK within {_options.StepTimeout.TotalSeconds:0} s", e);
        }
        if (status != 0)
            throw new OnionException(OnionErrorKind.IntroductionFailed, "INTRODUCE_ACK: " + Introduce1Builder.AckStatusText(status));
    }

    private static List<LinkSpecifier> RendezvousSpecifiers(Relay relay)
    {
        var specs = new List<LinkSpecifier> { new IPv4LinkSpecifier(relay.OrPort.Address, (ushort)relay.OrPort.Port), new LegacyIdLinkSpecifier(relay.RsaIdentity) };
        if (relay.Ed25519Identity is { } ed)
            specs.Add(new Ed25519IdLinkSpecifier(ed));
        foreach (var v6 in relay.IPv6OrPorts)
            specs.Add(new IPv6LinkSpecifier(v6.Address, (ushort)v6.Port));
        return specs;
    }

    private static Task<TorStream> OpenAsync(Circuit circuit, int port, CancellationToken cancellationToken)
    {
        // rend-spec-v3 / tor-spec 6.2: a stream to an onion service names only the port (":port").
        // ADDRPORT ":port" NUL and FLAGS 0: BeginMessage insists on a host, so the bytes are written here.
        byte[] begin = [.. System.Text.Encoding.ASCII.GetBytes(":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture)), 0, 0, 0, 0, 0];
        return circuit.OpenStreamAsync(new UnknownRelayMessage(RelayCommand.Begin, begin), "onion service port " + port, cancellationToken);
    }

    // ------------------------------------------------------------------ circuits

    /// <summary>guard - middle - <paramref name="last"/>, with the guard manager told how the first hop went.</summary>
    private async Task<Circuit> BuildToAsync(NetworkDirectory dir, Relay? lastRelay, RelayTarget last, bool congestionControl, CancellationToken cancellationToken)
    {
        var exclude = new List<Relay>();
        if (lastRelay != null)
            exclude.Add(lastRelay);
        var exclusion = new PathExclusion(_selector.Rules, exclude);
        var guard = _guards.SelectGuard(GuardUsage.Circuit, r => r.RsaIdentity != last.RsaIdentity && exclusion.Allows(r))
            ?? throw new OnionException(OnionErrorKind.CircuitFailed, "no usable guard");
        var chosen = new List<Relay>(exclude) { guard.Relay };
        var middle = _selector.ChooseMiddle(dir, chosen, stable: false, r => r.RsaIdentity != last.RsaIdentity && r.HasNtorOnionKey);
        if (middle == null)
        {
            _guards.ReportIndeterminate(guard);
            throw new OnionException(OnionErrorKind.CircuitFailed, "no middle relay for an onion-service circuit");
        }
        var hop = -1;
        try
        {
            var circuit = await _builder.BuildAsync([Target(guard.Relay), Target(middle), last], congestionControl, cancellationToken, i => hop = i).ConfigureAwait(false);
            _guards.ReportSuccess(guard);
            _lastPath.AddOrUpdate(circuit, [(guard.Relay.Nickname, guard.Relay.RsaIdentity), (middle.Nickname, middle.RsaIdentity), (lastRelay?.Nickname ?? last.Fingerprint[..8], last.RsaIdentity)]);
            return circuit;
        }
        catch
        {
            if (hop == 0 && !cancellationToken.IsCancellationRequested)
                _guards.ReportFailure(guard);
            else
                _guards.ReportIndeterminate(guard);
            throw;
        }
    }

    private static RelayTarget Target(Relay r) => new(r.RsaIdentity, r.Ed25519Identity, r.NtorOnionKey, r.OrPort, r.Protocols);

    private static bool IsAttemptFailure(Exception e, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && e is OnionException { Kind: not (OnionErrorKind.ProofOfWorkRequired or OnionErrorKind.ClientAuthRequired) }
            or CircuitException or ChannelException or TorStreamException or TimeoutException or OperationCanceledException or ArgumentException;

    private static IEnumerable<T> Shuffle<T>(IEnumerable<T> items)
    {
        var list = items.ToArray();
        RandomNumberGenerator.Shuffle(list.AsSpan());
        return list;
    }

    private static DateTimeOffset Min(params DateTimeOffset[] times) => times.Min();
}
