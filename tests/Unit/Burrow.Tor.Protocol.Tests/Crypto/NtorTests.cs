using System.Security.Cryptography;
using Burrow.Tor.Crypto;

namespace Burrow.Tor.Tests.Crypto;

public class NtorTests
{
    private static readonly VectorFile V = VectorFile.Load("arti_ntor-v1-handshake.txt");

    [Fact]
    public void ClientHandshakeMatchesVector()
    {
        using var c = NtorClient.CreateWithSecret(V.Hex("id"), V.Hex("b_pk"), V.Hex("x_sk"));
        Assert.Equal(V.Hex("client_handshake"), c.Onionskin);
        Assert.Equal(NtorClient.OnionskinLength, c.Onionskin.Length);

        var keys = new byte[72];
        c.CompleteKeyMaterial(V.Hex("server_handshake"), keys);
        Assert.Equal(V.Hex("keys"), keys);
    }

    [Fact]
    public void CompleteSplitsKeysAndKeepsTheNonce()
    {
        using var c = NtorClient.CreateWithSecret(V.Hex("id"), V.Hex("b_pk"), V.Hex("x_sk"));
        var keys = c.Complete(V.Hex("server_handshake"));
        var expected = V.Hex("keys");
        Assert.Equal(expected[..20], keys.Df);
        Assert.Equal(expected[20..40], keys.Db);
        Assert.Equal(expected[40..56], keys.Kf);
        Assert.Equal(expected[56..72], keys.Kb);
        Assert.Equal(20, keys.Kh.Length);
    }

    [Fact]
    public void TestServerReproducesTheVectorReply()
    {
        var (reply, material) = NtorTestServer.Respond(V.Hex("client_handshake"), V.Hex("id"), V.Hex("b_sk"), V.Hex("y_sk"));
        Assert.Equal(V.Hex("server_handshake"), reply);
        Assert.Equal(V.Hex("keys"), material);
    }

    [Fact]
    public void RoundTripWithFreshKeys()
    {
        var id = RandomNumberGenerator.GetBytes(20);
        var b = new byte[32];
        var bPub = new byte[32];
        Curve25519.GenerateKeyPair(b, bPub);
        using var c = NtorClient.Create(id, bPub);
        var (reply, serverKeys) = NtorTestServer.Respond(c.Onionskin, id, b, RandomNumberGenerator.GetBytes(32), 92);
        var keys = c.Complete(reply);
        Assert.Equal(serverKeys[..20], keys.Df);
        Assert.Equal(serverKeys[72..92], keys.Kh);
    }

    [Fact]
    public void TamperedAuthIsRejected()
    {
        for (var bit = 0; bit < 64 * 8; bit += 37)
        {
            using var c = NtorClient.CreateWithSecret(V.Hex("id"), V.Hex("b_pk"), V.Hex("x_sk"));
            var reply = V.Hex("server_handshake");
            reply[bit / 8] ^= (byte)(1 << (bit % 8));
            var e = Assert.Throws<TorCryptoException>(() => c.Complete(reply));
            Assert.Contains("ntor", e.Message);
        }
    }

    [Fact]
    public void WrongOnionKeyIsRejected()
    {
        var other = new byte[32];
        Curve25519.GenerateKeyPair(new byte[32], other);
        using var c = NtorClient.CreateWithSecret(V.Hex("id"), other, V.Hex("x_sk"));
        var e = Assert.Throws<TorCryptoException>(() => c.Complete(V.Hex("server_handshake")));
        Assert.Contains("AUTH", e.Message);
    }

    [Fact]
    public void WrongRelayIdentityIsRejected()
    {
        var id = V.Hex("id");
        id[0] ^= 1;
        using var c = NtorClient.CreateWithSecret(id, V.Hex("b_pk"), V.Hex("x_sk"));
        Assert.Throws<TorCryptoException>(() => c.Complete(V.Hex("server_handshake")));
    }

    [Fact]
    public void DegenerateServerKeyIsRejected()
    {
        using var c = NtorClient.CreateWithSecret(V.Hex("id"), V.Hex("b_pk"), V.Hex("x_sk"));
        var reply = V.Hex("server_handshake");
        reply.AsSpan(0, 32).Clear();   // Y = 0, a low-order point
        var e = Assert.Throws<TorCryptoException>(() => c.Complete(reply));
        Assert.Contains("infinity", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    [InlineData(65)]
    public void WrongLengthRepliesAreRejected(int length)
    {
        using var c = NtorClient.CreateWithSecret(V.Hex("id"), V.Hex("b_pk"), V.Hex("x_sk"));
        var reply = new byte[length];
        V.Hex("server_handshake").AsSpan(0, Math.Min(64, length)).CopyTo(reply);
        Assert.Throws<TorCryptoException>(() => c.Complete(reply));
    }

    [Fact]
    public void HandshakeIsSingleUse()
    {
        using var c = NtorClient.CreateWithSecret(V.Hex("id"), V.Hex("b_pk"), V.Hex("x_sk"));
        c.Complete(V.Hex("server_handshake"));
        Assert.Throws<InvalidOperationException>(() => c.Complete(V.Hex("server_handshake")));
    }

    [Fact]
    public void FreshHandshakesUseFreshEphemeralKeys()
    {
        using var a = NtorClient.Create(V.Hex("id"), V.Hex("b_pk"));
        using var b = NtorClient.Create(V.Hex("id"), V.Hex("b_pk"));
        Assert.NotEqual(a.Onionskin[52..], b.Onionskin[52..]);
        Assert.Equal(a.Onionskin[..52], b.Onionskin[..52]);
    }
}
