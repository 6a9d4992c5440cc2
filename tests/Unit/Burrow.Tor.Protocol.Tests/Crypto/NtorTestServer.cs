using System.Security.Cryptography;
using Burrow.Tor.Crypto;

namespace Burrow.Tor.Tests.Crypto;

/// <summary>The relay side of ntor (tor-spec 5.1.4), for round-trip tests only.</summary>
internal static class NtorTestServer
{
    /// <summary>Answers an onionskin with Y | AUTH and returns the key material the relay derives.</summary>
    public static (byte[] Reply, byte[] KeyMaterial) Respond(byte[] onionskin, byte[] id, byte[] b, byte[] y, int keyLength = 72)
    {
        Assert.Equal(84, onionskin.Length);
        Assert.Equal(id, onionskin[..20]);
        var bPub = new byte[32];
        Curve25519.PublicKeyOf(b, bPub);
        Assert.Equal(bPub, onionskin[20..52]);
        var x = onionskin[52..84];
        var yPub = new byte[32];
        Curve25519.PublicKeyOf(y, yPub);
        var xy = new byte[32];
        var xb = new byte[32];
        Assert.True(Curve25519.TryAgree(y, x, xy));
        Assert.True(Curve25519.TryAgree(b, x, xb));
        byte[] proto = "ntor-curve25519-sha256-1"u8.ToArray();
        byte[] secret = [.. xy, .. xb, .. id, .. bPub, .. x, .. yPub, .. proto];
        var keySeed = HMACSHA256.HashData(NtorClient.TKey, secret);
        var verify = HMACSHA256.HashData(NtorClient.TVerify, secret);
        byte[] authInput = [.. verify, .. id, .. bPub, .. yPub, .. x, .. proto, .. "Server"u8.ToArray()];
        var auth = HMACSHA256.HashData(NtorClient.TMac, authInput);
        var keys = new byte[keyLength];
        KdfRfc5869.Expand(keySeed, NtorClient.MExpand, keys);
        return ([.. yPub, .. auth], keys);
    }
}
