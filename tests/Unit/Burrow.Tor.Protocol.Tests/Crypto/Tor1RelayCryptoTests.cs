using System.Security.Cryptography;
using System.Text;
using Burrow.Tor.Crypto;
using Org.BouncyCastle.Crypto.Digests;

namespace Burrow.Tor.Tests.Crypto;

public class Tor1RelayCryptoTests
{
    private static readonly VectorFile V = VectorFile.Load("arti_relay-crypto-tor1.txt");

    private static CircuitKeys VectorKeys(string name)
    {
        var seed = Encoding.ASCII.GetBytes(V[name]);
        Assert.Equal(92, seed.Length);
        return CircuitKeys.FromRfc5869Layout(seed);
    }

    private static CircuitKeys RandomKeys() => CircuitKeys.FromRfc5869Layout(RandomNumberGenerator.GetBytes(92));

    [Fact]
    public void ThreeHopOutboundCellsMatchVector()
    {
        var expected = V.Entries.Where(e => e.Key.StartsWith("cell ", StringComparison.Ordinal))
            .ToDictionary(e => int.Parse(e.Key[5..]), e => Convert.FromHexString(e.Value));
        Assert.Equal(8, expected.Count);

        using var circuit = new Tor1CircuitCrypto();
        foreach (var k in new[] { "K1", "K2", "K3" })
            circuit.AddHop(VectorKeys(k));
        var xof = new ShakeDigest(256);
        xof.BlockUpdate(Encoding.ASCII.GetBytes(V["SEED"]));

        var body = new byte[RelayCellLayout.BodyLength];
        var matched = 0;
        for (var cell = 0; cell <= 50; cell++)
        {
            Array.Clear(body);
            body[0] = 2;
            body[4] = 1;
            body[9] = 0x01;
            body[10] = 0xF2;
            xof.Output(body.AsSpan(11, 498));
            circuit.EncryptOriginated(body, 2);
            if (expected.TryGetValue(cell, out var want))
            {
                Assert.True(want.AsSpan().SequenceEqual(body), $"cell {cell} differs");
                matched++;
            }
        }
        Assert.Equal(8, matched);
    }

    [Fact]
    public void ThreeHopRoundTripIsByteExactBothWays()
    {
        var keys = Enumerable.Range(0, 3).Select(_ => RandomNumberGenerator.GetBytes(92)).ToArray();
        using var client = new Tor1CircuitCrypto();
        var relays = new Tor1RelaySide[3];
        for (var i = 0; i < 3; i++)
        {
            client.AddHop(CircuitKeys.FromRfc5869Layout(keys[i]));
            relays[i] = new Tor1RelaySide(CircuitKeys.FromRfc5869Layout(keys[i]));
        }
        var rng = new Random(1234);
        var body = new byte[509];
        try
        {
            for (var n = 0; n < 600; n++)
            {
                var hop = rng.Next(3);
                var plain = RandomBody(rng);
                plain.CopyTo(body, 0);
                if (rng.Next(2) == 0)
                {
                    client.EncryptOriginated(body, hop);
                    Assert.False(plain.AsSpan().SequenceEqual(body));
                    var reached = -1;
                    for (var r = 0; r < 3 && reached < 0; r++)
                        if (relays[r].ReceiveForward(body))
                            reached = r;
                    Assert.Equal(hop, reached);
                    AssertSamePlaintext(plain, body, client.LastOriginatedDigest(hop));
                    Assert.Equal(relays[hop].LastForwardDigest, client.LastOriginatedDigest(hop).ToArray());
                }
                else
                {
                    relays[hop].OriginateBackward(body);
                    for (var r = hop - 1; r >= 0; r--)
                        relays[r].RelayBackward(body);
                    Assert.True(client.TryDecryptInbound(body, out var from));
                    Assert.Equal(hop, from);
                    AssertSamePlaintext(plain, body, relays[hop].LastBackwardDigest);
                    Assert.Equal(relays[hop].LastBackwardDigest, client.LastReceivedDigest(hop).ToArray());
                }
            }
        }
        finally
        {
            foreach (var r in relays)
                r.Dispose();
        }
    }

    [Fact]
    public void ZeroRecognizedAtAnEarlierHopDoesNotDisturbItsDigest()
    {
        // Fixed keys make the keystreams, and so the cells whose 'recognized' field decrypts to zero
        // at an intermediate hop (probability 2^-16 per layer), deterministic. Run until a few such
        // cells have gone by and check every cell still lands, and later cells from hop 0 still verify.
        using var client = new Tor1CircuitCrypto();
        var relays = new Tor1RelaySide[3];
        string[] names = ["K1", "K2", "K3"];
        for (var i = 0; i < 3; i++)
        {
            client.AddHop(VectorKeys(names[i]));
            relays[i] = new Tor1RelaySide(VectorKeys(names[i]));
        }
        var body = new byte[509];
        var falseZeros = 0;
        var rng = new Random(99);
        try
        {
            for (var n = 0; n < 1_000_000 && falseZeros < 2; n++)
            {
                var plain = RandomBody(rng);
                plain.CopyTo(body, 0);
                relays[2].OriginateBackward(body);
                if (body[1] == 0 && body[2] == 0)      // what the client checks at hop 1
                    falseZeros++;
                relays[1].RelayBackward(body);
                if (body[1] == 0 && body[2] == 0)      // what the client checks at hop 0
                    falseZeros++;
                relays[0].RelayBackward(body);
                Assert.True(client.TryDecryptInbound(body, out var from));
                Assert.Equal(2, from);
                Assert.True(plain.AsSpan(11).SequenceEqual(body.AsSpan(11)));

                if (n % 5000 == 0)
                {
                    RandomBody(rng).CopyTo(body, 0);
                    relays[0].OriginateBackward(body);
                    Assert.True(client.TryDecryptInbound(body, out from));
                    Assert.Equal(0, from);
                }
            }
            Assert.True(falseZeros >= 1, "no cell exercised a false 'recognized' at an intermediate hop");
            RandomBody(rng).CopyTo(body, 0);
            relays[0].OriginateBackward(body);
            Assert.True(client.TryDecryptInbound(body, out var last));
            Assert.Equal(0, last);
            Assert.Equal(relays[0].LastBackwardDigest, client.LastReceivedDigest(0).ToArray());
        }
        finally
        {
            foreach (var r in relays)
                r.Dispose();
        }
    }

    [Fact]
    public void CircuitWithSwappedKeysProducesWhatTheRelaysSendBack()
    {
        // The benchmark recipe for inbound cells: a mirror circuit stands in for the relays.
        var keys = Enumerable.Range(0, 3).Select(_ => CircuitKeys.FromRfc5869Layout(RandomNumberGenerator.GetBytes(92))).ToArray();
        using var client = new Tor1CircuitCrypto();
        using var mirror = new Tor1CircuitCrypto();
        var relays = keys.Select(k => new Tor1RelaySide(k)).ToArray();
        foreach (var k in keys)
        {
            client.AddHop(k);
            mirror.AddHop(k.WithDirectionsSwapped());
        }
        var rng = new Random(7);
        try
        {
            for (var n = 0; n < 50; n++)
            {
                var hop = n % 3;
                var viaMirror = RandomBody(rng);
                var viaRelays = (byte[])viaMirror.Clone();
                mirror.EncryptOriginated(viaMirror, hop);
                relays[hop].OriginateBackward(viaRelays);
                for (var r = hop - 1; r >= 0; r--)
                    relays[r].RelayBackward(viaRelays);
                Assert.Equal(viaRelays, viaMirror);
                Assert.True(client.TryDecryptInbound(viaMirror, out var from));
                Assert.Equal(hop, from);
                Assert.Equal(mirror.LastOriginatedDigest(hop).ToArray(), client.LastReceivedDigest(hop).ToArray());
            }
        }
        finally
        {
            foreach (var r in relays)
                r.Dispose();
        }
    }

    [Fact]
    public void FailedDigestCheckLeavesHopStateIntact()
    {
        var keys = RandomNumberGenerator.GetBytes(92);
        using var hop = new Tor1HopCrypto(CircuitKeys.FromRfc5869Layout(keys));
        using var relay = new Tor1RelaySide(CircuitKeys.FromRfc5869Layout(keys));
        var rng = new Random(5);
        for (var round = 0; round < 5; round++)
        {
            // A plaintext that claims recognized = 0 but carries a wrong digest, several times over.
            for (var bogus = 0; bogus < 3; bogus++)
            {
                var fake = RandomBody(rng);
                fake[5] ^= 0xA5;
                var before = (byte[])fake.Clone();
                Assert.False(hop.TryRecognizeBackward(fake));
                Assert.Equal(before, fake);
            }
            var body = RandomBody(rng);
            relay.OriginateBackward(body);
            hop.DecryptBackward(body);
            Assert.True(hop.TryRecognizeBackward(body));
            Assert.Equal(relay.LastBackwardDigest, hop.LastReceivedDigest.ToArray());
        }
    }

    [Fact]
    public void FlippedByteIsNotRecognized()
    {
        foreach (var flipAt in new[] { 0, 1, 3, 5, 8, 9, 11, 300, 508 })
        {
            var keys = Enumerable.Range(0, 3).Select(_ => RandomNumberGenerator.GetBytes(92)).ToArray();
            using var client = new Tor1CircuitCrypto();
            var relays = keys.Select(k => new Tor1RelaySide(CircuitKeys.FromRfc5869Layout(k))).ToArray();
            foreach (var k in keys)
                client.AddHop(CircuitKeys.FromRfc5869Layout(k));
            var body = RandomBody(new Random(flipAt));
            relays[2].OriginateBackward(body);
            relays[1].RelayBackward(body);
            relays[0].RelayBackward(body);
            body[flipAt] ^= 0x01;
            Assert.False(client.TryDecryptInbound(body, out var hop));
            Assert.Equal(-1, hop);
            foreach (var r in relays)
                r.Dispose();
        }
    }

    [Fact]
    public void SteadyStateCellsAllocateNothing()
    {
        var keys = Enumerable.Range(0, 3).Select(_ => RandomNumberGenerator.GetBytes(92)).ToArray();
        using var client = new Tor1CircuitCrypto();
        using var exit = new Tor1RelaySide(CircuitKeys.FromRfc5869Layout(keys[0]));
        client.AddHop(CircuitKeys.FromRfc5869Layout(keys[0]));
        var body = new byte[509];
        var inbound = new byte[509];
        void OneRound()
        {
            client.EncryptOriginated(body, 0);
            body.CopyTo(inbound, 0);
            exit.ReceiveForward(inbound);          // relay side allocates; measured separately below
        }
        for (var i = 0; i < 200; i++)
            OneRound();
        var cells = new byte[100][];
        for (var i = 0; i < cells.Length; i++)
        {
            cells[i] = RandomBody(new Random(i));
            exit.OriginateBackward(cells[i]);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
            client.EncryptOriginated(body, 0);
        foreach (var c in cells)
            Assert.True(client.TryDecryptInbound(c, out _));
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void MisuseIsRefused()
    {
        using var c = new Tor1CircuitCrypto();
        Assert.Throws<ArgumentOutOfRangeException>(() => c.EncryptOriginated(new byte[509], 0));
        c.AddHop(RandomKeys());
        Assert.Throws<ArgumentException>(() => c.EncryptOriginated(new byte[508], 0));
        Assert.Throws<ArgumentException>(() => c.TryDecryptInbound(new byte[510], out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => c.LastReceivedDigest(1));
        for (var i = 1; i < Tor1CircuitCrypto.MaxHops; i++)
            c.AddHop(RandomKeys());
        Assert.Throws<InvalidOperationException>(() => c.AddHop(RandomKeys()));
        c.TruncateTo(2);
        Assert.Equal(2, c.HopCount);
    }

    private static byte[] RandomBody(Random rng)
    {
        var b = new byte[509];
        rng.NextBytes(b);
        b[0] = (byte)rng.Next(1, 16);
        var len = rng.Next(0, 499);
        b[9] = (byte)(len >> 8);
        b[10] = (byte)len;
        return b;
    }

    /// <summary>What arrived equals what was sent, with 'recognized' zero and the sender's digest.</summary>
    private static void AssertSamePlaintext(byte[] sent, byte[] arrived, ReadOnlySpan<byte> digest)
    {
        var expected = (byte[])sent.Clone();
        expected[1] = expected[2] = 0;
        digest[..4].CopyTo(expected.AsSpan(5));
        Assert.Equal(expected, arrived);
    }
}
