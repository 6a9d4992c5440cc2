// Key blinding and subcredentials (rend-spec-v3 2.1 [SUBCRED], appendix A.2 [KEYBLIND]):
//   h = H("Derive temporary signing key" | INT_1(0) | A | s | B | N), N = "key-blind" | INT_8(period) | INT_8(length),
//   clamped as an Ed25519 scalar; A' = h A.  N_hs_cred = H("credential" | A),
//   N_hs_subcred = H("subcredential" | N_hs_cred | A').
namespace Burrow.Tor.Protocol.Onion;

internal static class OnionKeyBlinding
{
    private const string BasePointString =
        "(15112221349535400772501151409588531511454012693041857206046113283949847762202, " +
        "46316835694926478169428394003475163141307993866256225615783033603165251855960)";

    /// <summary>The blinding factor h, before clamping.</summary>
    public static byte[] BlindingFactor(ReadOnlySpan<byte> identityKey, TimePeriod period, ReadOnlySpan<byte> secret = default)
    {
        CheckKey(identityKey);
        var nonce = Concat(OnionHash.Ascii("key-blind"), OnionHash.Int8(period.Number), OnionHash.Int8(period.LengthMinutes));
        return OnionHash.H(
            [.. OnionHash.Ascii("Derive temporary signing key"), 0],
            identityKey.ToArray(), secret.ToArray(), OnionHash.Ascii(BasePointString), nonce);
    }

    /// <summary>KP_hs_blind_id for <paramref name="period"/>.</summary>
    /// <exception cref="OnionException">The identity key is not a usable Ed25519 point.</exception>
    public static byte[] BlindPublicKey(ReadOnlySpan<byte> identityKey, TimePeriod period, ReadOnlySpan<byte> secret = default)
    {
        var h = BlindingFactor(identityKey, period, secret);
        h[0] &= 248;
        h[31] &= 63;
        h[31] |= 64;
        var blinded = new byte[32];
        if (!Ed25519Point.TryScalarMult(h, identityKey, blinded))
            throw new OnionException(OnionErrorKind.MalformedAddress, "the onion service identity key is not a valid Ed25519 point of prime order");
        return blinded;
    }

    /// <summary>N_hs_cred = H("credential" | KP_hs_id).</summary>
    public static byte[] Credential(ReadOnlySpan<byte> identityKey)
    {
        CheckKey(identityKey);
        return OnionHash.H(OnionHash.Ascii("credential"), identityKey.ToArray());
    }

    /// <summary>N_hs_subcred = H("subcredential" | N_hs_cred | KP_hs_blind_id).</summary>
    public static byte[] Subcredential(ReadOnlySpan<byte> identityKey, ReadOnlySpan<byte> blindedKey)
    {
        CheckKey(blindedKey);
        return OnionHash.H(OnionHash.Ascii("subcredential"), Credential(identityKey), blindedKey.ToArray());
    }

    private static void CheckKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != 32)
            throw new ArgumentException($"an Ed25519 public key is 32 bytes, got {key.Length}");
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
