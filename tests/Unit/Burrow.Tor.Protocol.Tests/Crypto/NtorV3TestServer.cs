using Burrow.Tor.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using static Burrow.Tor.Crypto.NtorV3Client;

namespace Burrow.Tor.Tests.Crypto;

/// <summary>The relay side of ntor v3 (proposal 332 "Server operation"), for round-trip tests only.</summary>
internal static class NtorV3TestServer
{
    /// <summary>Checks a client handshake, returns the client's message, the reply and 256 bytes of KEYSTREAM.</summary>
    public static (byte[] ClientMessage, byte[] Reply, byte[] Keystream) Respond(
        byte[] clientHandshake, byte[] id, byte[] b, byte[] y, byte[] ver, Func<byte[], byte[]> answer)
    {
        var bPub = new byte[32];
        Curve25519.PublicKeyOf(b, bPub);
        Assert.Equal(id, clientHandshake[..32]);
        Assert.Equal(bPub, clientHandshake[32..64]);
        var x = clientHandshake[64..96];
        var msg = clientHandshake[96..^32];
        var mac = clientHandshake[^32..];

        var xb = new byte[32];
        Assert.True(Curve25519.TryAgree(b, x, xb));
        var phase1 = Shake([.. xb, .. id, .. x, .. bPub, .. ProtoId, .. Encap(ver)], TMsgKdf, 64);
        var expectedMac = new byte[32];
        Mac(phase1[32..], TMsgMac, [.. id, .. bPub, .. x, .. msg], expectedMac);
        Assert.Equal(expectedMac, mac);
        var cm = (byte[])msg.Clone();
        using (var dec = new AesCtr(phase1[..32]))
            dec.Apply(cm);

        var sm = answer(cm);
        var yPub = new byte[32];
        Curve25519.PublicKeyOf(y, yPub);
        var xy = new byte[32];
        Assert.True(Curve25519.TryAgree(y, x, xy));
        byte[] secret = [.. xy, .. xb, .. id, .. bPub, .. x, .. yPub, .. ProtoId, .. Encap(ver)];
        var keySeed = H(secret, TKeySeed);
        var verify = H(secret, TVerify);
        var raw = Shake(keySeed, TFinal, 32 + 256);
        var encrypted = (byte[])sm.Clone();
        using (var enc = new AesCtr(raw[..32]))
            enc.Apply(encrypted);
        var auth = H([.. verify, .. id, .. bPub, .. yPub, .. x, .. mac, .. Encap(encrypted), .. ProtoId, .. ServerLabel], TAuth);
        return (cm, [.. yPub, .. auth, .. encrypted], raw[32..]);
    }

    private static byte[] Encap(byte[] s)
    {
        var len = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(len, (ulong)s.Length);
        return [.. len, .. s];
    }

    private static byte[] H(byte[] s, byte[] t)
    {
        var d = new Sha3Digest(256);
        d.BlockUpdate([.. Encap(t), .. s]);
        var o = new byte[32];
        d.DoFinal(o);
        return o;
    }

    private static byte[] Shake(byte[] s, byte[] t, int n)
    {
        var d = new ShakeDigest(256);
        d.BlockUpdate([.. Encap(t), .. s]);
        var o = new byte[n];
        d.OutputFinal(o);
        return o;
    }
}
