// Adding hops: tor-spec 5.1 CREATE2/CREATED2 (ntor, 5.1.4; ntor v3, proposal 332), 5.1.5 CREATE_FAST,
// 5.1.2 EXTEND2/EXTENDED2 in RELAY_EARLY; congestion-control negotiation in the ntor v3 messages
// (proposal 324 section 10).
using System.Security.Cryptography;
using Burrow.Tor.Cells;
using Burrow.Tor.CongestionControl;
using Burrow.Tor.Identities;
using Burrow.Tor.Channels;
using Burrow.Tor.Crypto;

namespace Burrow.Tor.Circuits;

/// <summary>The hop handshake: one hop at a time is pending; the reader loop completes it with CREATED2, CREATED_FAST or EXTENDED2.</summary>
internal sealed partial class Circuit
{
    /// <summary>CREATE2 to the channel's relay: ntor v3 when it offers Relay=4, ntor otherwise.
    /// <paramref name="negotiateCongestionControl"/>: this is the circuit's last hop and it should be asked for
    /// congestion control (done only when the consensus enables it and the relay offers FlowCtrl=2).</summary>
    public Task CreateFirstHopAsync(RelayTarget relay, CancellationToken cancellationToken = default, bool negotiateCongestionControl = false)
    {
        ArgumentNullException.ThrowIfNull(relay);
        if (HopCount != 0)
            throw new InvalidOperationException("The first hop already exists.");
        if (relay.RsaIdentity != _channel.Target.RsaIdentity)
            throw new ArgumentException($"The first hop must be the channel's relay ${_channel.Target.Fingerprint}, not ${relay.Fingerprint}.", nameof(relay));
        return AddHopAsync(relay, negotiateCongestionControl, cancellationToken);
    }

    /// <summary>
    /// CREATE_FAST (tor-spec 5.1.5) to the channel's relay, for one-hop directory circuits to a relay
    /// whose ntor key is not known yet (bootstrapping from fallback caches). It adds no authentication
    /// beyond the channel's, which already proved the relay's identity.
    /// </summary>
    public async Task CreateFirstHopFastAsync(CancellationToken cancellationToken = default)
    {
        if (HopCount != 0)
            throw new InvalidOperationException("The first hop already exists.");
        var pending = new PendingHop(null, -1) { FastX = RandomNumberGenerator.GetBytes(CreateFastCell.KeyMaterialLength) };
        try
        {
            await RunPendingHopAsync(pending, () =>
            {
                var body = RentBody();
                body.AsSpan(0, ChannelFraming.PayloadLength).Clear();
                new CreateFastCell(pending.FastX).Encode(body);
                if (!_channel.TryEnqueue(new OutboundCell(CircId, ChannelCommand.CreateFast, body, null, 0, OutboundCellFlags.None)))
                    throw ClosedError();
                return Task.CompletedTask;
            }, $"{Name}: CREATE_FAST to {_channel.Target} was cancelled.", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // X is the whole secret of CREATE_FAST: wiped however the hop ended (answered, refused, timed
            // out, cancelled, channel lost), not only after a good CREATED_FAST.
            CryptographicOperations.ZeroMemory(pending.FastX);
            LastFastKeyMaterialForTests = pending.FastX;
        }
    }

    /// <summary>The X of the last CREATE_FAST, kept so tests can check it was wiped.</summary>
    internal byte[]? LastFastKeyMaterialForTests { get; private set; }

    /// <summary>EXTEND2 (in RELAY_EARLY) from the current last hop to <paramref name="relay"/>; the handshake
    /// and <paramref name="negotiateCongestionControl"/> as for <see cref="CreateFirstHopAsync"/>.</summary>
    public Task ExtendAsync(RelayTarget relay, CancellationToken cancellationToken = default, bool negotiateCongestionControl = false)
    {
        ArgumentNullException.ThrowIfNull(relay);
        if (HopCount == 0)
            throw new InvalidOperationException("Create the first hop before extending.");
        if (HopCount >= MaxHops)
            throw new InvalidOperationException($"A circuit has at most {MaxHops} hops (one RELAY_EARLY cell per EXTEND2, {MaxRelayEarly} allowed).");
        return AddHopAsync(relay, negotiateCongestionControl, cancellationToken);
    }

    /// <summary>Marks the circuit usable for streams (no more hops will be added).</summary>
    internal void MarkBuilt()
    {
        ThrowIfClosed();
        lock (_lock)
            _built = true;
        CircuitLog.Built(_logger, CircId, _channel.Target.ToString(), HopCount);
    }

    private async Task AddHopAsync(RelayTarget relay, bool negotiateCongestionControl, CancellationToken cancellationToken)
    {
        var first = HopCount == 0;
        var from = first ? -1 : LastHop;
        PendingHop pending;
        HandshakeType type;
        byte[] onionskin;
        if (relay.SupportsNtorV3)
        {
            // Proposal 324 section 10.1: only the hop that carries the streams, only if it offers FlowCtrl=2.
            var requestCc = negotiateCongestionControl && _parameters.CongestionControl is not null && relay.SupportsCongestionControl;
            var v3 = NtorV3Client.Create(relay.Ed25519Identity!.Value.ToArray(), relay.NtorOnionKey, CongestionControlNegotiation.ClientMessage(requestCc));
            pending = new PendingHop(null, from) { NtorV3 = v3, RequestedCongestionControl = requestCc };
            type = HandshakeType.NtorV3;
            onionskin = v3.ClientHandshake;
        }
        else
        {
            var ntor = NtorClient.Create(relay.RsaIdentity.ToArray(), relay.NtorOnionKey);
            pending = new PendingHop(ntor, from);
            type = HandshakeType.Ntor;
            onionskin = ntor.Onionskin;
        }
        try
        {
            await RunPendingHopAsync(pending, async () =>
            {
                if (first)
                {
                    var body = RentBody();
                    var create = new Create2Cell(type, onionskin);
                    body.AsSpan(0, ChannelFraming.PayloadLength).Clear();
                    create.Encode(body);
                    if (!_channel.TryEnqueue(new OutboundCell(CircId, ChannelCommand.Create2, body, null, 0, OutboundCellFlags.None)))
                        throw ClosedError();
                }
                else
                {
                    var extend = new Extend2Message(LinkSpecifiersOf(relay), type, onionskin);
                    await SendRelayAsync(extend, 0, LastHop, OutboundCellFlags.Early, cancellationToken).ConfigureAwait(false);
                }
            }, $"{Name}: adding hop {(first ? 1 : HopCount + 1)} ({relay}) was cancelled.", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            pending.Ntor?.Dispose();
            pending.NtorV3?.Dispose();
        }
    }

    /// <summary>One hop in the making: registers it as the pending hop, sends its handshake, waits for the
    /// reply (the reader completes <see cref="PendingHop.Done"/>); a cancelled half-added hop leaves the
    /// circuit unusable, so it is closed.</summary>
    private async Task RunPendingHopAsync(PendingHop pending, Func<Task> send, string cancelledMessage, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ThrowIfClosed();
            if (_built || _pendingHop is not null)
                throw new InvalidOperationException("The circuit is built, or another hop is being added.");
            _pendingHop = pending;
        }
        try
        {
            await send().ConfigureAwait(false);
            await pending.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Close(new CircuitException(CircuitErrorKind.Closed, cancelledMessage));
            throw;
        }
        finally
        {
            lock (_lock)
            {
                if (_pendingHop == pending)
                    _pendingHop = null;
            }
        }
    }

    /// <summary>Link specifiers in the order tor-spec 5.1.2 recommends: [00] IPv4, [02] legacy id,
    /// [03] Ed25519 id, [01] IPv6.</summary>
    private static List<LinkSpecifier> LinkSpecifiersOf(RelayTarget relay)
    {
        var specs = new List<LinkSpecifier>(3);
        var address = relay.OrPort.Address.IsIPv4MappedToIPv6 ? relay.OrPort.Address.MapToIPv4() : relay.OrPort.Address;
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            specs.Add(new IPv4LinkSpecifier(address, (ushort)relay.OrPort.Port));
        specs.Add(new LegacyIdLinkSpecifier(relay.RsaIdentity));
        if (relay.Ed25519Identity is { } ed)
            specs.Add(new Ed25519IdLinkSpecifier(ed));
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
            specs.Add(new IPv6LinkSpecifier(address, (ushort)relay.OrPort.Port));
        return specs;
    }


    private void OnCreatedFast(Span<byte> body)
    {
        // Decoded before the pending hop is taken: if this throws, closing the circuit fails the builder.
        var reply = CreatedFastCell.Decode(body);
        var pending = TakePendingHop(-1);
        if (pending?.FastX is not { } x)
        {
            var error = CircuitException.Violation("CREATED_FAST without a CREATE_FAST in progress");
            pending?.Done.TrySetException(error);
            throw error;
        }
        // tor-spec 5.1.5: K0 = X | Y; KDF-TOR(K0) = KH | Df | Db | Kf | Kb; KH proves the relay derived the same.
        Span<byte> k0 = stackalloc byte[2 * CreateFastCell.KeyMaterialLength];
        x.CopyTo(k0);
        reply.KeyMaterial.Span.CopyTo(k0[CreateFastCell.KeyMaterialLength..]);
        var material = new byte[CircuitKeys.TotalLength];
        KdfTor.Derive(k0, material);
        CryptographicOperations.ZeroMemory(k0);
        CryptographicOperations.ZeroMemory(x);
        var keys = CircuitKeys.FromKdfTorLayout(material);
        CryptographicOperations.ZeroMemory(material);
        if (!CryptographicOperations.FixedTimeEquals(keys.Kh, reply.DerivativeKeyData.Span))
        {
            keys.Clear();
            var error = new CircuitException(CircuitErrorKind.HandshakeFailed, $"{Name}: CREATED_FAST derivative key data does not match (tor-spec 5.1.5)");
            pending.Done.TrySetException(error);
            throw error;
        }
        _crypto.AddHop(keys);
        keys.Clear();
        pending.Done.TrySetResult();
    }

    private void OnCreated2(Span<byte> body)
    {
        // Decoded before the pending hop is taken: if this throws, closing the circuit fails the builder.
        var reply = Created2Cell.Decode(body);
        var pending = TakePendingHop(-1);
        if (pending is null || (pending.Ntor is null && pending.NtorV3 is null))
        {
            // A CREATE_FAST waiting here must fail too, not wait for its timeout.
            var error = CircuitException.Violation("CREATED2 without a CREATE2 in progress");
            pending?.Done.TrySetException(error);
            throw error;
        }
        CompleteHop(pending, reply.HandshakeData.Span);
    }

    private void CompleteHop(PendingHop pending, ReadOnlySpan<byte> reply)
    {
        CircuitKeys keys;
        int? sendmeIncrement = null;
        try
        {
            if (pending.NtorV3 is { } v3)
            {
                (keys, var serverMessage) = v3.Complete(reply);
                try
                {
                    sendmeIncrement = CongestionControlNegotiation.ParseServerMessage(serverMessage, pending.RequestedCongestionControl,
                        _parameters.CongestionControl?.SendmeIncrement ?? CongestionControlParameters.Default.SendmeIncrement);
                }
                catch
                {
                    keys.Clear();
                    throw;
                }
            }
            else
                keys = pending.Ntor!.Complete(reply);
        }
        catch (TorCryptoException e)
        {
            var handshake = pending.NtorV3 is null ? "ntor" : "ntor v3";
            var error = new CircuitException(CircuitErrorKind.HandshakeFailed, $"{Name}: hop {HopCount + 1} failed the {handshake} handshake: {e.Message}", e);
            pending.Done.TrySetException(error);
            throw error;
        }
        _crypto.AddHop(keys);
        keys.Clear();
        lock (_lock)
            _hopHandshakes.Add(pending.NtorV3 is null ? HandshakeType.Ntor : HandshakeType.NtorV3);
        if (sendmeIncrement is { } inc)
            EnableCongestionControl(inc);
        pending.Done.TrySetResult();
    }

    private PendingHop? TakePendingHop(int fromHop)
    {
        lock (_lock)
        {
            var pending = _pendingHop;
            if (pending is null || pending.FromHop != fromHop)
                return null;
            _pendingHop = null;
            return pending;
        }
    }

    /// <summary>A CREATE2 or EXTEND2 waiting for its answer from <see cref="FromHop"/> (-1: the channel's relay).</summary>
    private sealed class PendingHop(NtorClient? ntor, int fromHop)
    {
        /// <summary>The ntor handshake in progress; null for CREATE_FAST and ntor v3.</summary>
        public NtorClient? Ntor { get; } = ntor;

        /// <summary>The ntor v3 handshake in progress, if that is the one used.</summary>
        public NtorV3Client? NtorV3 { get; init; }

        /// <summary>Whether the ntor v3 message asked for congestion control.</summary>
        public bool RequestedCongestionControl { get; init; }

        /// <summary>CREATE_FAST key material X; null for ntor.</summary>
        public byte[]? FastX { get; init; }
        public int FromHop { get; } = fromHop;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
