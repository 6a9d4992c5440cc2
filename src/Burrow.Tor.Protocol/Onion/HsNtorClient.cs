// The client side of hs-ntor (rend-spec-v3 3.3.2 [NTOR-WITH-EXTRA-DATA], 4.2 [JOIN_REND], 4.2.1):
//   intro_secret_hs_input = EXP(B,x) | AUTH_KEY | X | B | PROTOID
//   hs_keys = KDF(intro_secret_hs_input | t_hsenc | m_hsexpand | N_hs_subcred, 32 + 32) -> ENC_KEY, MAC_KEY
//   INTRODUCE1 encrypted part = X | AES-256-CTR(ENC_KEY) plaintext | MAC(MAC_KEY, header | X | ciphertext)
//   rend_secret_hs_input = EXP(Y,x) | EXP(B,x) | AUTH_KEY | B | X | Y | PROTOID
//   NTOR_KEY_SEED = MAC(rend_secret_hs_input, t_hsenc); verify = MAC(rend_secret_hs_input, t_hsverify)
//   AUTH_INPUT_MAC = MAC(verify | AUTH_KEY | B | Y | X | PROTOID | "Server", t_hsmac)
//   K = KDF(NTOR_KEY_SEED | m_hsexpand, 32 * 2 + 32 * 2) -> Df | Db | Kf | Kb (SHA3-256 digests, AES-256 keys)
using System.Security.Cryptography;
using Burrow.Tor.Crypto;

namespace Burrow.Tor.Protocol.Onion;

/// <summary>One introduction attempt's handshake state. Not reusable: a new one per INTRODUCE1.</summary>
internal sealed class HsNtorClient
{
    public const int MacLength = 32;
    public const int KeyMaterialLength = 128;
    public const int HandshakeInfoLength = 64;

    private const string ProtoId = "tor-hs-ntor-curve25519-sha3-256-1";

    private readonly byte[] _x = new byte[32];
    private readonly byte[] _bigX = new byte[32];
    private readonly byte[] _authKey;
    private readonly byte[] _encKey;
    private readonly byte[] _subcredential;
    private readonly byte[] _expBx = new byte[32];

    /// <param name="authKey">AUTH_KEY, the intro point's KP_hs_ipt_sid.</param>
    /// <param name="encKey">B, the intro point's KP_hss_ntor.</param>
    /// <param name="subcredential">N_hs_subcred for the period.</param>
    /// <param name="ephemeralSecret">Only for test vectors: a fixed x; otherwise a fresh one is made.</param>
    public HsNtorClient(ReadOnlySpan<byte> authKey, ReadOnlySpan<byte> encKey, ReadOnlySpan<byte> subcredential, ReadOnlySpan<byte> ephemeralSecret = default)
    {
        if (authKey.Length != 32 || encKey.Length != 32 || subcredential.Length != 32)
            throw new ArgumentException("hs-ntor takes a 32-byte AUTH_KEY, encryption key and subcredential");
        _authKey = authKey.ToArray();
        _encKey = encKey.ToArray();
        _subcredential = subcredential.ToArray();
        if (ephemeralSecret.IsEmpty)
            Curve25519.GenerateKeyPair(_x, _bigX);
        else
        {
            ephemeralSecret.CopyTo(_x);
            Curve25519.PublicKeyOf(_x, _bigX);
        }
        if (!Curve25519.TryAgree(_x, _encKey, _expBx))
            throw new OnionException(OnionErrorKind.InvalidDescriptor, "the introduction point's encryption key is a low-order point");
    }

    public ReadOnlySpan<byte> ClientPublicKey => _bigX;

    /// <summary>ENC_KEY | MAC_KEY for the INTRODUCE1 encrypted part.</summary>
    public byte[] IntroKeys() =>
        OnionHash.Kdf(64, _expBx, _authKey, _bigX, _encKey, Ascii(ProtoId), Ascii(ProtoId + ":hs_key_extract"),
            Ascii(ProtoId + ":hs_key_expand"), _subcredential);

    /// <summary>
    /// The whole INTRODUCE1 body: <paramref name="header"/> (LEGACY_KEY_ID .. extensions) | X | encrypted
    /// <paramref name="plaintext"/> | MAC.
    /// </summary>
    public byte[] SealIntroduce1(ReadOnlySpan<byte> header, ReadOnlySpan<byte> plaintext)
    {
        var keys = IntroKeys();
        var body = new byte[header.Length + 32 + plaintext.Length + MacLength];
        header.CopyTo(body);
        _bigX.CopyTo(body, header.Length);
        var c = body.AsSpan(header.Length + 32, plaintext.Length);
        plaintext.CopyTo(c);
        OnionDescriptorCrypto.AesCtrWithIv(keys.AsSpan(0, 32), new byte[16], c);
        var mac = OnionHash.Mac(keys.AsSpan(32, 32), body.AsSpan(0, body.Length - MacLength));
        mac.CopyTo(body, body.Length - MacLength);
        CryptographicOperations.ZeroMemory(keys);
        return body;
    }

    /// <summary>
    /// Completes the handshake with RENDEZVOUS2's HANDSHAKE_INFO (SERVER_PK Y | AUTH); returns NTOR_KEY_SEED.
    /// </summary>
    /// <exception cref="OnionException">Kind <see cref="OnionErrorKind.ProtocolViolation"/> when AUTH does not verify.</exception>
    public byte[] CompleteSeed(ReadOnlySpan<byte> handshakeInfo)
    {
        if (handshakeInfo.Length < HandshakeInfoLength)
            throw new OnionException(OnionErrorKind.ProtocolViolation, $"RENDEZVOUS2 HANDSHAKE_INFO is {handshakeInfo.Length} bytes, needs {HandshakeInfoLength}");
        var y = handshakeInfo[..32].ToArray();
        var auth = handshakeInfo[32..64];
        var expYx = new byte[32];
        if (!Curve25519.TryAgree(_x, y, expYx))
            throw new OnionException(OnionErrorKind.ProtocolViolation, "RENDEZVOUS2 carries a low-order SERVER_PK");
        byte[] input = [.. expYx, .. _expBx, .. _authKey, .. _encKey, .. _bigX, .. y, .. Ascii(ProtoId)];
        var seed = OnionHash.Mac(input, Ascii(ProtoId + ":hs_key_extract"));
        var verify = OnionHash.Mac(input, Ascii(ProtoId + ":hs_verify"));
        byte[] authInput = [.. verify, .. _authKey, .. _encKey, .. y, .. _bigX, .. Ascii(ProtoId), .. Ascii("Server")];
        var expected = OnionHash.Mac(authInput, Ascii(ProtoId + ":hs_mac"));
        CryptographicOperations.ZeroMemory(input);
        if (!CryptographicOperations.FixedTimeEquals(expected, auth))
            throw new OnionException(OnionErrorKind.ProtocolViolation, "RENDEZVOUS2: the service's handshake AUTH does not verify (not the service we introduced to)");
        return seed;
    }

    /// <summary>K = KDF(NTOR_KEY_SEED | m_hsexpand, 128): Df | Db | Kf | Kb.</summary>
    public static byte[] ExpandKeys(ReadOnlySpan<byte> seed) =>
        OnionHash.Kdf(KeyMaterialLength, seed.ToArray(), Ascii(ProtoId + ":hs_key_expand"));

    private static byte[] Ascii(string s) => OnionHash.Ascii(s);
}
