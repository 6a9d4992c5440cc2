using System.Security.Cryptography;
using System.Text;
using Burrow.Tor.Crypto;

namespace Burrow.Tor.Tests.Crypto;

public class NtorV3Tests
{
    private static readonly VectorFile V = VectorFile.Load("prop332_X2_ntor-v3.txt");

    private static NtorV3Client VectorClient(byte[]? b = null, byte[]? ver = null) =>
        NtorV3Client.CreateWithSecret(V.Hex("ID"), b ?? V.Hex("B"), V.Hex("CM"), ver ?? V.Hex("VER"), V.Hex("x"));

    [Fact]
    public void ClientHandshakeMatchesProposalVector()
    {
        using var c = VectorClient();
        Assert.Equal(V.Hex("client_handshake"), c.ClientHandshake);
        Assert.Equal(V.Hex("msg_mac"), c.ClientHandshake[^32..]);
    }

    [Fact]
    public void CompletionMatchesProposalVector()
    {
        using var c = VectorClient();
        var keystream = new byte[256];
        var sm = c.CompleteKeyMaterial(V.Hex("server_handshake"), keystream);
        Assert.Equal(V.Hex("SM"), sm);
        Assert.Equal("Hola Mundo", Encoding.ASCII.GetString(sm));
        Assert.Equal(V.Hex("KEYSTREAM"), keystream);
    }

    [Fact]
    public void CompleteSplitsTheKeystreamIntoCircuitKeys()
    {
        using var c = VectorClient();
        var (keys, sm) = c.Complete(V.Hex("server_handshake"));
        var ks = V.Hex("KEYSTREAM");
        Assert.Equal(ks[..20], keys.Df);
        Assert.Equal(ks[20..40], keys.Db);
        Assert.Equal(ks[40..56], keys.Kf);
        Assert.Equal(ks[56..72], keys.Kb);
        Assert.Equal(ks[72..92], keys.Kh);
        Assert.Equal(V.Hex("SM"), sm);
    }

    [Fact]
    public void TestServerReproducesTheVectorReply()
    {
        var (cm, reply, keystream) = NtorV3TestServer.Respond(V.Hex("client_handshake"), V.Hex("ID"), V.Hex("b"), V.Hex("y"), V.Hex("VER"),
            _ => V.Hex("SM"));
        Assert.Equal(V.Hex("CM"), cm);
        Assert.Equal(V.Hex("server_handshake"), reply);
        Assert.Equal(V.Hex("KEYSTREAM"), keystream);
    }

    [Fact]
    public void RoundTripCarriesExtensionsBothWays()
    {
        var id = RandomNumberGenerator.GetBytes(32);
        var b = new byte[32];
        var bPub = new byte[32];
        Curve25519.GenerateKeyPair(b, bPub);
        // Congestion-control request (type 1, empty) as the client would send it.
        var request = NtorV3Message.Encode([new NtorV3Extension(1, Array.Empty<byte>())]);
        using var c = NtorV3Client.Create(id, bPub, request);
        var (cm, reply, ks) = NtorV3TestServer.Respond(c.ClientHandshake, id, b, RandomNumberGenerator.GetBytes(32),
            NtorV3Client.CircuitExtendVerification.ToArray(),
            m =>
            {
                var ext = NtorV3Message.Parse(m);
                Assert.Equal(1, ext.Single().Type);
                return NtorV3Message.Encode([new NtorV3Extension(2, new byte[] { 31 })]);
            });
        Assert.Equal(request, cm);
        var (keys, sm) = c.Complete(reply);
        var response = NtorV3Message.Parse(sm).Single();
        Assert.Equal(2, response.Type);
        Assert.Equal(new byte[] { 31 }, response.Data.ToArray());
        Assert.Equal(ks[..20], keys.Df);
    }

    [Fact]
    public void TamperedReplyIsRejected()
    {
        var good = V.Hex("server_handshake");
        foreach (var index in new[] { 0, 31, 32, 63, 64, good.Length - 1 })
        {
            using var c = VectorClient();
            var reply = (byte[])good.Clone();
            reply[index] ^= 0x40;
            Assert.Throws<TorCryptoException>(() => c.Complete(reply));
        }
    }

    [Fact]
    public void TruncatedReplyIsRejected()
    {
        var good = V.Hex("server_handshake");
        using (var c = VectorClient())
            Assert.Throws<TorCryptoException>(() => c.Complete(good.AsSpan(0, 63)));
        // Dropping part of the encrypted message changes ENCAP(MSG) and so AUTH.
        using (var c = VectorClient())
            Assert.Throws<TorCryptoException>(() => c.Complete(good.AsSpan(0, good.Length - 1)));
    }

    [Fact]
    public void WrongOnionKeyOrVerificationIsRejected()
    {
        var other = new byte[32];
        Curve25519.GenerateKeyPair(new byte[32], other);
        using (var c = VectorClient(b: other))
            Assert.Contains("AUTH", Assert.Throws<TorCryptoException>(() => c.Complete(V.Hex("server_handshake"))).Message);
        using (var c = VectorClient(ver: "circuit extend"u8.ToArray()))
            Assert.Throws<TorCryptoException>(() => c.Complete(V.Hex("server_handshake")));
    }

    [Fact]
    public void DegenerateKeysAreRejected()
    {
        Assert.Throws<TorCryptoException>(() => NtorV3Client.Create(new byte[32], new byte[32], []));
        using var c = VectorClient();
        var reply = V.Hex("server_handshake");
        reply.AsSpan(0, 32).Clear();
        Assert.Contains("infinity", Assert.Throws<TorCryptoException>(() => c.Complete(reply)).Message);
    }

    [Fact]
    public void MessageCodecRejectsMalformedLists()
    {
        Assert.Empty(NtorV3Message.Parse([]));
        Assert.Empty(NtorV3Message.Parse([0]));
        var two = NtorV3Message.Encode([new NtorV3Extension(1, new byte[] { 9, 9 }), new NtorV3Extension(7, Array.Empty<byte>())]);
        Assert.Equal(new byte[] { 2, 1, 2, 9, 9, 7, 0 }, two);
        Assert.Equal(2, NtorV3Message.Parse(two).Count);
        Assert.Throws<TorCryptoException>(() => NtorV3Message.Parse(two.AsSpan(0, 6)));   // body short
        Assert.Throws<TorCryptoException>(() => NtorV3Message.Parse(two.AsSpan(0, 5)));   // header short
        Assert.Throws<TorCryptoException>(() => NtorV3Message.Parse([.. two, 0]));        // trailing byte
        Assert.Throws<TorCryptoException>(() => NtorV3Message.Parse([3, 1, 0]));
        Assert.Throws<ArgumentException>(() => NtorV3Message.Encode([new NtorV3Extension(1, new byte[256])]));
    }
}
