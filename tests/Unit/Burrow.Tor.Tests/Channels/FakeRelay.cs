using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Burrow.Tor.Cells;
using Burrow.Tor.Channels;
using Burrow.Tor.Circuits;
using Burrow.Tor.Crypto;
using Burrow.Tor.Tests.Crypto;
using Microsoft.Extensions.Logging.Abstractions;
using ThreadingChannel = System.Threading.Channels.Channel;

namespace Burrow.Tor.Tests.Channels;

/// <summary>
/// The relay side of a channel in memory, written here independently of the client code: the link
/// handshake (VERSIONS, CERTS from <see cref="TestCertFactory"/>, AUTH_CHALLENGE, NETINFO), ntor
/// (<see cref="NtorTestServer"/>) and tor1 (<see cref="Tor1RelaySide"/>) for every hop of a circuit, so
/// one fake plays a whole path. What the client sends arrives in <see cref="Events"/>; the test answers
/// with <see cref="SendRelayAsync"/> and friends, or lets the automatic behaviours answer.
/// </summary>
internal sealed class FakeRelay : IAsyncDisposable
{
    public const string FakeTlsCertificate = "not really a certificate, only its SHA-256 matters";

    private readonly DuplexPipeStream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Dictionary<uint, FakeCircuit> _circuits = new();
    // Circuits the client destroyed: a relay may still have cells in flight for them (they cross the
    // DESTROY on the wire), so a test can still send on them; the client must drop those cells.
    private readonly Dictionary<uint, FakeCircuit> _destroyed = new();
    private readonly object _lock = new();
    private readonly System.Threading.Channels.Channel<RelayEvent> _events = ThreadingChannel.CreateUnbounded<RelayEvent>();
    private readonly byte[] _buffer = new byte[256 * 1024];
    private int _start;
    private int _end;
    private Task _loop = Task.CompletedTask;
    private readonly TaskCompletionSource _readingAllowed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _paused;
    private volatile TaskCompletionSource _resume = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeRelay(DuplexPipeStream stream, IReadOnlyList<VirtualRelay> relays)
    {
        _stream = stream;
        Relays = relays;
    }

    /// <summary>The relays this fake plays: [0] is the one at the end of the channel.</summary>
    public IReadOnlyList<VirtualRelay> Relays { get; }

    public System.Threading.Channels.ChannelReader<RelayEvent> Events => _events.Reader;

    /// <summary>Answer BEGIN / BEGIN_DIR with CONNECTED.</summary>
    public bool AutoConnect { get; set; } = true;

    /// <summary>Send DATA back on the stream it came from (an echo server at the exit).</summary>
    public bool Echo { get; set; }

    /// <summary>Act as an exit's flow control: a circuit SENDME v1 (with the right digest) every 100 DATA
    /// cells received, a stream SENDME every 50.</summary>
    public bool AutoSendme { get; set; } = true;

    /// <summary>Record DATA cells in <see cref="Events"/> (off for bulk transfers).</summary>
    public bool RecordData { get; set; } = true;

    /// <summary>Flip a bit of AUTH in every CREATED2 / EXTENDED2.</summary>
    public bool CorruptHandshakes { get; set; }

    public static async Task<(FakeRelay Relay, Channel Channel)> StartAsync(int relays = 3, ChannelOptions? options = null,
        Func<VirtualRelay, ChannelTarget>? expect = null, long pipeThreshold = 256 * 1024, IReadOnlyList<ushort>? versions = null)
    {
        var (client, relaySide) = DuplexPipeStream.CreatePair(pipeThreshold);
        var list = Enumerable.Range(0, relays).Select(i => new VirtualRelay(i)).ToList();
        var fake = new FakeRelay(relaySide, list);
        var handshake = fake.HandshakeAsync(versions ?? [3, 4, 5]);
        var target = expect?.Invoke(list[0]) ?? list[0].Target.Channel;
        var der = System.Text.Encoding.ASCII.GetBytes(FakeTlsCertificate);
        var channel = await Channel.OpenAsync(client, der, target, options ?? ChannelOptions.Default, NullLogger.Instance,
            new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        await handshake;
        fake._loop = Task.Run(fake.RunAsync);
        return (fake, channel);
    }

    /// <summary>Runs the relay side of a handshake whose client is expected to fail; returns the client's error.</summary>
    public static async Task<ChannelException> HandshakeFailsAsync(Func<VirtualRelay, ChannelTarget>? expect = null,
        IReadOnlyList<ushort>? versions = null, Func<VirtualRelay, List<(byte, byte[])>>? certs = null, ChannelOptions? options = null)
    {
        var (client, relaySide) = DuplexPipeStream.CreatePair();
        var relay = new VirtualRelay(0);
        var fake = new FakeRelay(relaySide, [relay]);
        var handshake = fake.HandshakeAsync(versions ?? [3, 4, 5], certs);
        var der = System.Text.Encoding.ASCII.GetBytes(FakeTlsCertificate);
        var error = await Assert.ThrowsAsync<ChannelException>(() => Channel.OpenAsync(client, der, expect?.Invoke(relay) ?? relay.Target.Channel,
            options ?? ChannelOptions.Default, NullLogger.Instance, new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token));
        try
        {
            await handshake;
        }
        catch (Exception)
        {
            // The client hung up mid-handshake.
        }
        await fake.DisposeAsync();
        return error;
    }

    // ------------------------------------------------------------------ handshake

    private async Task HandshakeAsync(IReadOnlyList<ushort> versions, Func<VirtualRelay, List<(byte, byte[])>>? certs = null)
    {
        var initial = ChannelFraming.Initial;
        var (_, command, _) = await ReadCellAsync(initial);
        Assert.Equal(ChannelCommand.Versions, command);
        await WriteAsync(Encode(initial, 0, new VersionsCell(versions)));
        var common = versions.Where(v => v is 4 or 5).DefaultIfEmpty((ushort)0).Max();
        if (common == 0)
            return;
        var framing = ChannelFraming.ForLinkVersion(common);
        var relay = Relays[0];
        var entries = certs?.Invoke(relay) ?? relay.CertsEntries();
        await WriteAsync(Encode(framing, 0, new CertsCell(entries.Select(e => new Burrow.Tor.Cells.CertsCellEntry((LinkCertType)e.Item1, e.Item2)).ToList())));
        await WriteAsync(Encode(framing, 0, new AuthChallengeCell(RandomNumberGenerator.GetBytes(32), [1, 3])));
        await WriteAsync(Encode(framing, 0, new NetinfoCell((uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            NetinfoAddress.From(IPAddress.Loopback), [NetinfoAddress.From(IPAddress.Loopback)])));
        var (circId, netinfo, body) = await ReadCellAsync(framing);
        Assert.Equal(0u, circId);
        Assert.Equal(ChannelCommand.Netinfo, netinfo);
        var cell = NetinfoCell.Decode(body);
        Assert.Equal(0u, cell.Timestamp);
        Assert.Empty(cell.MyAddresses);
    }

    private static byte[] Encode(ChannelFraming framing, uint circId, ChannelMessage message)
    {
        var buffer = new byte[ChannelCellWriter.GetCellLength(framing, message)];
        ChannelCellWriter.Write(buffer, framing, circId, message);
        return buffer;
    }

    private async Task<(uint CircId, ChannelCommand Command, byte[] Body)> ReadCellAsync(ChannelFraming framing)
    {
        while (true)
        {
            if (ChannelCellReader.TryRead(_buffer.AsSpan(_start, _end - _start), framing, out var cell, out var consumed))
            {
                var result = (cell.CircId, cell.Command, cell.Body.ToArray());
                _start += consumed;
                return result;
            }
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
            var n = await _stream.ReadAsync(_buffer.AsMemory(_end));
            if (n == 0)
                throw new EndOfStreamException("the client closed the channel");
            _end += n;
        }
    }

    private async Task WriteAsync(byte[] bytes)
    {
        await _writeLock.WaitAsync();
        try
        {
            await _stream.WriteAsync(bytes);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    // ------------------------------------------------------------------ after the handshake

    /// <summary>Stops reading from the client (its writes back up) until <see cref="ResumeReading"/>.</summary>
    public void PauseReading()
    {
        _resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _paused = true;
    }

    public void ResumeReading()
    {
        _paused = false;
        _resume.TrySetResult();
    }

    private async Task RunAsync()
    {
        var framing = ChannelFraming.ForLinkVersion(5);
        try
        {
            while (true)
            {
                if (_paused)
                    await _resume.Task;
                var (circId, command, body) = await ReadCellAsync(framing);
                await HandleAsync(circId, command, body);
            }
        }
        catch (Exception e)
        {
            _events.Writer.TryWrite(new RelayEvent(0, ChannelCommand.Padding, -1, 0, 0, [], [], Closed: e.Message));
        }
    }

    private async Task HandleAsync(uint circId, ChannelCommand command, byte[] body)
    {
        switch (command)
        {
            case ChannelCommand.Create2:
            {
                var create = Create2Cell.Decode(body);
                Assert.Equal(HandshakeType.Ntor, create.HandshakeType);
                var (reply, keys) = Relays[0].Answer(create.HandshakeData.ToArray(), CorruptHandshakes);
                var circuit = new FakeCircuit(circId);
                circuit.Hops.Add(new Tor1RelaySide(keys));
                circuit.HopRelays.Add(Relays[0]);
                lock (_lock)
                    _circuits[circId] = circuit;
                _events.Writer.TryWrite(new RelayEvent(circId, command, 0, 0, 0, create.HandshakeData.ToArray(), []));
                await WriteAsync(Encode(ChannelFraming.ForLinkVersion(5), circId, new Created2Cell(reply)));
                return;
            }
            case ChannelCommand.Relay or ChannelCommand.RelayEarly:
                await HandleRelayAsync(circId, command, body);
                return;
            default:
                lock (_lock)
                {
                    if (command == ChannelCommand.Destroy && _circuits.Remove(circId, out var gone))
                        _destroyed[circId] = gone;
                }
                _events.Writer.TryWrite(new RelayEvent(circId, command, -1, 0, 0, body, []));
                return;
        }
    }

    private async Task HandleRelayAsync(uint circId, ChannelCommand command, byte[] body)
    {
        FakeCircuit? circuit;
        lock (_lock)
            _circuits.TryGetValue(circId, out circuit);
        if (circuit is null)
            return;
        var hop = -1;
        for (var i = 0; i < circuit.Hops.Count; i++)
        {
            if (circuit.Hops[i].ReceiveForward(body))
            {
                hop = i;
                break;
            }
        }
        if (hop < 0)
        {
            _events.Writer.TryWrite(new RelayEvent(circId, command, -1, 0, 0, body, [], Closed: "unrecognized"));
            return;
        }
        var data = RelayCell.Decode(new ReadOnlyMemory<byte>(body), out var header);
        var digest = circuit.Hops[hop].LastForwardDigest.ToArray();
        if (header.Command != RelayCommand.Data || RecordData)
            _events.Writer.TryWrite(new RelayEvent(circId, command, hop, header.Command, header.StreamId, data.ToArray(), digest));
        switch (header.Command)
        {
            case RelayCommand.Extend2:
            {
                var extend = Extend2Message.Decode(data.Span);
                var id = extend.LinkSpecifiers.OfType<LegacyIdLinkSpecifier>().Single().Id.ToArray();
                var next = Relays.SingleOrDefault(r => r.RsaIdentity.AsSpan().SequenceEqual(id));
                if (next is null)
                    return; // a relay this fake does not play: no answer
                var (reply, keys) = next.Answer(extend.HandshakeData.ToArray(), CorruptHandshakes);
                circuit.Hops.Add(new Tor1RelaySide(keys));
                circuit.HopRelays.Add(next);
                await SendRelayAsync(circId, hop, RelayCommand.Extended2, 0, new Extended2Message(reply));
                return;
            }
            case RelayCommand.Begin or RelayCommand.BeginDir when AutoConnect:
                await SendRelayAsync(circId, hop, RelayCommand.Connected, header.StreamId,
                    header.Command == RelayCommand.Begin ? new ConnectedMessage(IPAddress.Parse("10.0.0.1"), 300) : ConnectedMessage.Empty);
                return;
            case RelayCommand.Data:
                if (AutoSendme)
                {
                    circuit.DataReceived++;
                    if (circuit.DataReceived % 100 == 0)
                        await SendRelayAsync(circId, hop, RelayCommand.Sendme, 0, SendmeMessage.Authenticated(digest));
                    var perStream = circuit.StreamDataReceived.GetValueOrDefault(header.StreamId) + 1;
                    circuit.StreamDataReceived[header.StreamId] = perStream;
                    if (perStream % 50 == 0)
                        await SendRelayAsync(circId, hop, RelayCommand.Sendme, header.StreamId, SendmeMessage.Legacy);
                }
                if (Echo)
                    await SendRelayAsync(circId, hop, RelayCommand.Data, header.StreamId, new DataMessage(data.ToArray()));
                return;
        }
    }

    /// <summary>Sends a relay message from hop <paramref name="hop"/> of a circuit (random padding).</summary>
    public Task SendRelayAsync(uint circId, int hop, RelayCommand command, ushort streamId, RelayMessage message)
    {
        var body = new byte[RelayCell.BodyLength];
        RelayCell.Encode(body, streamId, message);
        body[0] = (byte)command;
        return SendRelayBodyAsync(circId, hop, body);
    }

    /// <summary>Sends a plaintext relay body (header included) originated at <paramref name="hop"/>.</summary>
    public async Task SendRelayBodyAsync(uint circId, int hop, byte[] body, ChannelCommand command = ChannelCommand.Relay)
    {
        var circuit = Circuit(circId);
        var copy = (byte[])body.Clone();
        // Encrypt and write under one lock: the client decrypts in wire order.
        await _writeLock.WaitAsync();
        try
        {
            circuit.Hops[hop].OriginateBackward(copy);
            for (var i = hop - 1; i >= 0; i--)
                circuit.Hops[i].RelayBackward(copy);
            await _stream.WriteAsync(Frame(circId, command, copy));
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static byte[] Frame(uint circId, ChannelCommand command, ReadOnlySpan<byte> body)
    {
        var framing = ChannelFraming.ForLinkVersion(5);
        var buffer = new byte[framing.CellLength(command, body.Length)];
        ChannelCellWriter.WriteRaw(buffer, framing, circId, command, body);
        return buffer;
    }

    /// <summary>Encrypts a plaintext relay body as hop <paramref name="hop"/> would send it, without sending it
    /// (for feeding a circuit directly). Do not mix with sends on the same circuit.</summary>
    public byte[] EncryptBackward(uint circId, int hop, byte[] body)
    {
        var circuit = Circuit(circId);
        var copy = (byte[])body.Clone();
        circuit.Hops[hop].OriginateBackward(copy);
        for (var i = hop - 1; i >= 0; i--)
            circuit.Hops[i].RelayBackward(copy);
        return copy;
    }

    /// <summary>The backward digest of hop <paramref name="hop"/> after the last cell it originated.</summary>
    public byte[] LastBackwardDigest(uint circId, int hop) => Circuit(circId).Hops[hop].LastBackwardDigest.ToArray();

    /// <summary>Sends a cell as it is (no encryption).</summary>
    public Task SendCellAsync(uint circId, ChannelCommand command, ReadOnlySpan<byte> body) => WriteAsync(Frame(circId, command, body));

    /// <summary>Ends the connection from the relay's side.</summary>
    public void Disconnect() => _stream.Dispose();

    public async Task<RelayEvent> NextAsync(Func<RelayEvent, bool> match, int timeoutSeconds = 20)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        while (true)
        {
            RelayEvent e;
            try
            {
                e = await _events.Reader.ReadAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("the fake relay did not see the expected cell");
            }
            if (match(e))
                return e;
        }
    }

    public Task<RelayEvent> NextRelayAsync(RelayCommand command, int timeoutSeconds = 20) =>
        NextAsync(e => e.Hop >= 0 && e.RelayCommand == command && e.Command is ChannelCommand.Relay or ChannelCommand.RelayEarly, timeoutSeconds);

    public int HopsOf(uint circId) => Circuit(circId).Hops.Count;

    private FakeCircuit Circuit(uint circId)
    {
        lock (_lock)
            return _circuits.TryGetValue(circId, out var open) ? open : _destroyed[circId];
    }

    public async ValueTask DisposeAsync()
    {
        _stream.Dispose();
        ResumeReading();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
            // The loop ends with the connection.
        }
    }

    /// <summary>One relay played by the fake: its keys and the target a client uses to reach it.</summary>
    public sealed class VirtualRelay
    {
        private readonly byte[] _ntorSecret = new byte[32];

        public VirtualRelay(int index)
        {
            Index = index;
            Chain = new TestCertFactory.Chain(DateTimeOffset.UtcNow);
            var tls = SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(FakeTlsCertificate));
            Chain.LinkCert = TestCertFactory.Ed25519Cert(5, DateTimeOffset.UtcNow.AddDays(2), CertifiedKeyType.Sha256OfX509, tls, Chain.Signing);
            RsaIdentity = RsaPublicKey.FromPkcs1Der(Chain.Rsa.ExportRSAPublicKey()).Sha1;
            Ed25519Identity = Chain.Identity.Public;
            var pub = new byte[32];
            Curve25519.GenerateKeyPair(_ntorSecret, pub);
            NtorOnionKey = pub;
            Target = new RelayTarget(new Identities.RsaIdentity(RsaIdentity), new Identities.Ed25519Identity(Ed25519Identity), NtorOnionKey, new IPEndPoint(IPAddress.Parse("127.0.0.1"), 9000 + index));
        }

        public int Index { get; }
        public TestCertFactory.Chain Chain { get; }
        public byte[] RsaIdentity { get; }
        public byte[] Ed25519Identity { get; }
        public byte[] NtorOnionKey { get; }
        public RelayTarget Target { get; }

        public List<(byte, byte[])> CertsEntries() =>
            [(2, Chain.IdCert), (4, Chain.SigningCert), (5, Chain.LinkCert), (7, Chain.CrossCert)];

        /// <summary>Answers an ntor onionskin: the reply (Y | AUTH) and this relay's keys for the hop.</summary>
        public (byte[] Reply, CircuitKeys Keys) Answer(byte[] onionskin, bool corrupt)
        {
            var y = new byte[32];
            var yPub = new byte[32];
            Curve25519.GenerateKeyPair(y, yPub);
            var (reply, material) = NtorTestServer.Respond(onionskin, RsaIdentity, _ntorSecret, y, CircuitKeys.TotalLength);
            if (corrupt)
                reply[40] ^= 1;
            return (reply, CircuitKeys.FromRfc5869Layout(material));
        }
    }

    private sealed class FakeCircuit(uint circId)
    {
        public uint CircId { get; } = circId;
        public List<Tor1RelaySide> Hops { get; } = [];
        public List<VirtualRelay> HopRelays { get; } = [];
        public int DataReceived { get; set; }
        public Dictionary<ushort, int> StreamDataReceived { get; } = [];
    }
}

/// <summary>Something the fake relay received. For relay cells: the hop that recognized it (0-based), the
/// decrypted header fields and data, and that hop's forward digest after it. Hop -1: not a relay cell
/// (Data is the raw body), or the connection ended (<see cref="Closed"/> says why).</summary>
internal sealed record RelayEvent(uint CircId, ChannelCommand Command, int Hop, RelayCommand RelayCommand, ushort StreamId, byte[] Data, byte[] ForwardDigest,
    string? Closed = null);
