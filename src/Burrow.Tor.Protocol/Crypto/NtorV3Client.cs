// The ntor v3 handshake, client side (proposal 332, "ntor3-curve25519-sha3_256-1", instantiation
// A.1 and circuit-extension encoding A.2): ntor with an encrypted, authenticated client message
// CM and server message SM (the extension lists that negotiate congestion control).
using System.Buffers.Binary;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;

namespace Burrow.Tor.Crypto;

/// <summary>
/// One client ntor v3 handshake: <see cref="Create"/> builds ID | B | X | MSG | MAC for CREATE2 /
/// EXTEND2 (HTYPE 3); <see cref="Complete"/> checks Y | AUTH | MSG and returns the hop's keys and
/// the decrypted server message. Single use: secrets are wiped when it completes or fails.
/// </summary>
internal sealed class NtorV3Client : IDisposable
{
    public const ushort HandshakeType = 0x0003;
    public const int IdLength = 32;
    public const int KeyLength = 32;
    public const int MacLength = 32;

    /// <summary>ID | B | X | MAC without a message.</summary>
    public const int HandshakeOverhead = IdLength + 2 * KeyLength + MacLength;

    /// <summary>Y | AUTH before the encrypted server message.</summary>
    public const int ReplyOverhead = KeyLength + MacLength;

    /// <summary>
    /// VER for circuit extension. Proposal 332 leaves VER to the usage; relays use this string for
    /// CREATE2/EXTEND2 and fail the phase-1 MAC with any other value.
    /// </summary>
    public static ReadOnlySpan<byte> CircuitExtendVerification => "circuit extend"u8;

    internal static readonly byte[] ProtoId = "ntor3-curve25519-sha3_256-1"u8.ToArray();
    internal static readonly byte[] TMsgKdf = "ntor3-curve25519-sha3_256-1:kdf_phase1"u8.ToArray();
    internal static readonly byte[] TMsgMac = "ntor3-curve25519-sha3_256-1:msg_mac"u8.ToArray();
    internal static readonly byte[] TKeySeed = "ntor3-curve25519-sha3_256-1:key_seed"u8.ToArray();
    internal static readonly byte[] TVerify = "ntor3-curve25519-sha3_256-1:verify"u8.ToArray();
    internal static readonly byte[] TFinal = "ntor3-curve25519-sha3_256-1:kdf_final"u8.ToArray();
    internal static readonly byte[] TAuth = "ntor3-curve25519-sha3_256-1:auth_final"u8.ToArray();
    internal static readonly byte[] ServerLabel = "Server"u8.ToArray();

    private readonly byte[] _id;
    private readonly byte[] _b;
    private readonly byte[] _x = new byte[32];
    private readonly byte[] _xPub = new byte[32];
    private readonly byte[] _bx = new byte[32];
    private readonly byte[] _ver;
    private readonly byte[] _msgMac = new byte[MacLength];
    private bool _done;

    private NtorV3Client(ReadOnlySpan<byte> relayId, ReadOnlySpan<byte> onionKey, ReadOnlySpan<byte> message,
        ReadOnlySpan<byte> verification, ReadOnlySpan<byte> x)
    {
        if (relayId.Length != IdLength)
            throw new ArgumentException($"relay Ed25519 identity must be {IdLength} bytes, got {relayId.Length}", nameof(relayId));
        if (onionKey.Length != KeyLength)
            throw new ArgumentException($"ntor onion key must be {KeyLength} bytes, got {onionKey.Length}", nameof(onionKey));
        _id = relayId.ToArray();
        _b = onionKey.ToArray();
        _ver = verification.ToArray();
        if (x.IsEmpty)
            Curve25519.GenerateKeyPair(_x, _xPub);
        else
        {
            if (x.Length != 32)
                throw new ArgumentException("ephemeral secret must be 32 bytes", nameof(x));
            x.CopyTo(_x);
            Curve25519.PublicKeyOf(_x, _xPub);
        }
        if (!Curve25519.TryAgree(_x, _b, _bx))
            throw new TorCryptoException("ntor v3: the relay's onion key is degenerate (Diffie-Hellman gave the point at infinity)");

        // secret_input_phase1 = Bx | ID | X | B | PROTOID | ENCAP(VER); (ENC_K1, MAC_K1) = KDF_msgkdf(...)
        Span<byte> phase1 = stackalloc byte[64];
        var kdf = new ShakeDigest(256);
        Absorb(kdf, TMsgKdf);
        kdf.BlockUpdate(_bx);
        kdf.BlockUpdate(_id);
        kdf.BlockUpdate(_xPub);
        kdf.BlockUpdate(_b);
        kdf.BlockUpdate(ProtoId);
        Absorb(kdf, _ver);
        kdf.OutputFinal(phase1);

        var hs = new byte[HandshakeOverhead + message.Length];
        var w = new SpanWriter(hs);
        w.Write(_id);
        w.Write(_b);
        w.Write(_xPub);
        var encrypted = hs.AsSpan(w.Position, message.Length);
        message.CopyTo(encrypted);
        using (var enc = new AesCtr(phase1[..32]))
            enc.Apply(encrypted);
        // msg_mac = MAC_msgmac(MAC_K1, ID | B | X | encrypted_msg)
        Mac(phase1[32..], TMsgMac, hs.AsSpan(0, HandshakeOverhead - MacLength + message.Length), _msgMac);
        CryptographicOperations.ZeroMemory(phase1);
        _msgMac.CopyTo(hs.AsSpan(hs.Length - MacLength));
        ClientHandshake = hs;
    }

    /// <summary>
    /// Starts a handshake with a relay (its Ed25519 identity and ntor onion key B), sending
    /// <paramref name="message"/> (an encoded extension list, see <see cref="NtorV3Message"/>).
    /// </summary>
    public static NtorV3Client Create(ReadOnlySpan<byte> relayEd25519Id, ReadOnlySpan<byte> onionKey, ReadOnlySpan<byte> message,
        ReadOnlySpan<byte> verification) => new(relayEd25519Id, onionKey, message, verification, default);

    /// <summary>As <see cref="Create"/> for circuit extension (VER = "circuit extend").</summary>
    public static NtorV3Client Create(ReadOnlySpan<byte> relayEd25519Id, ReadOnlySpan<byte> onionKey, ReadOnlySpan<byte> message) =>
        new(relayEd25519Id, onionKey, message, CircuitExtendVerification, default);

    /// <summary>As <see cref="Create(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> with a chosen x: for test vectors only.</summary>
    internal static NtorV3Client CreateWithSecret(ReadOnlySpan<byte> relayEd25519Id, ReadOnlySpan<byte> onionKey, ReadOnlySpan<byte> message,
        ReadOnlySpan<byte> verification, ReadOnlySpan<byte> x) => new(relayEd25519Id, onionKey, message, verification, x);

    /// <summary>NODEID | KEYID | CLIENT_PK | MSG | MAC: the HDATA of CREATE2 / EXTEND2.</summary>
    public byte[] ClientHandshake { get; }

    /// <summary>Checks the relay's reply and returns the hop's keys and the relay's decrypted message.</summary>
    /// <exception cref="TorCryptoException">The reply is too short, degenerate, or its AUTH does not match.</exception>
    public (CircuitKeys Keys, byte[] ServerMessage) Complete(ReadOnlySpan<byte> reply)
    {
        Span<byte> material = stackalloc byte[CircuitKeys.TotalLength];
        var sm = CompleteKeyMaterial(reply, material);
        var keys = CircuitKeys.FromRfc5869Layout(material);
        CryptographicOperations.ZeroMemory(material);
        return (keys, sm);
    }

    /// <summary>
    /// As <see cref="Complete"/>, writing <c>keystream.Length</c> bytes of KEYSTREAM (the KDF_final output
    /// after ENC_KEY) and returning SM.
    /// </summary>
    public byte[] CompleteKeyMaterial(ReadOnlySpan<byte> reply, Span<byte> keystream)
    {
        if (_done)
            throw new InvalidOperationException("this ntor v3 handshake has already been completed or failed");
        _done = true;
        try
        {
            if (reply.Length < ReplyOverhead)
                throw new TorCryptoException($"ntor v3 reply must be at least {ReplyOverhead} bytes (Y | AUTH | MSG), got {reply.Length}");
            var y = reply[..32];
            var auth = reply[32..64];
            var msg = reply[64..];

            Span<byte> yx = stackalloc byte[32];
            if (!Curve25519.TryAgree(_x, y, yx))
                throw new TorCryptoException("ntor v3 reply: Diffie-Hellman produced the point at infinity (degenerate Y)");

            Span<byte> keySeed = stackalloc byte[32];
            Span<byte> verify = stackalloc byte[32];
            var h = new Sha3Digest(256);
            HashSecretInput(h, TKeySeed, yx, y, keySeed);
            HashSecretInput(h, TVerify, yx, y, verify);
            CryptographicOperations.ZeroMemory(yx);

            // auth_input = verify | ID | B | Y | X | MAC | ENCAP(MSG) | PROTOID | "Server"
            Absorb(h, TAuth);
            h.BlockUpdate(verify);
            h.BlockUpdate(_id);
            h.BlockUpdate(_b);
            h.BlockUpdate(y);
            h.BlockUpdate(_xPub);
            h.BlockUpdate(_msgMac);
            Absorb(h, msg);
            h.BlockUpdate(ProtoId);
            h.BlockUpdate(ServerLabel);
            Span<byte> expected = stackalloc byte[32];
            h.DoFinal(expected);
            CryptographicOperations.ZeroMemory(verify);
            if (!CryptographicOperations.FixedTimeEquals(expected, auth))
            {
                CryptographicOperations.ZeroMemory(keySeed);
                throw new TorCryptoException("ntor v3 reply: AUTH does not match (wrong onion key, identity or verification string, or a tampered reply)");
            }

            // (ENC_KEY, KEYSTREAM) = KDF_final(ntor_key_seed)
            var kdf = new ShakeDigest(256);
            Absorb(kdf, TFinal);
            kdf.BlockUpdate(keySeed);
            CryptographicOperations.ZeroMemory(keySeed);
            Span<byte> encKey = stackalloc byte[32];
            kdf.Output(encKey);
            kdf.OutputFinal(keystream);
            var sm = msg.ToArray();
            using (var dec = new AesCtr(encKey))
                dec.Apply(sm);
            CryptographicOperations.ZeroMemory(encKey);
            return sm;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(_x);
            CryptographicOperations.ZeroMemory(_bx);
        }
    }

    /// <summary>H(secret_input, tweak) with secret_input = Yx | Bx | ID | B | X | Y | PROTOID | ENCAP(VER).</summary>
    private void HashSecretInput(Sha3Digest h, byte[] tweak, ReadOnlySpan<byte> yx, ReadOnlySpan<byte> y, Span<byte> output)
    {
        Absorb(h, tweak);
        h.BlockUpdate(yx);
        h.BlockUpdate(_bx);
        h.BlockUpdate(_id);
        h.BlockUpdate(_b);
        h.BlockUpdate(_xPub);
        h.BlockUpdate(y);
        h.BlockUpdate(ProtoId);
        Absorb(h, _ver);
        h.DoFinal(output);
    }

    /// <summary>MAC(k, msg, t) = SHA3_256(ENCAP(t) | ENCAP(k) | msg).</summary>
    internal static void Mac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> tweak, ReadOnlySpan<byte> message, Span<byte> output)
    {
        var h = new Sha3Digest(256);
        Absorb(h, tweak);
        Absorb(h, key);
        h.BlockUpdate(message);
        h.DoFinal(output);
    }

    /// <summary>Feeds ENCAP(s) = htonll(len(s)) | s.</summary>
    internal static void Absorb(Org.BouncyCastle.Crypto.IDigest digest, ReadOnlySpan<byte> s)
    {
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(len, (ulong)s.Length);
        digest.BlockUpdate(len);
        digest.BlockUpdate(s);
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_x);
        CryptographicOperations.ZeroMemory(_bx);
    }
}
