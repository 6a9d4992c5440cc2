// The ntor handshake, client side (tor-spec 5.1.4, "ntor-curve25519-sha256-1"), with keys from
// KDF-RFC5869 (tor-spec 5.2.2).
using System.Security.Cryptography;

namespace Burrow.Tor.Crypto;

/// <summary>
/// One client ntor handshake: <see cref="Create"/> makes the onionskin (ID | B | X) for CREATE2 or
/// EXTEND2; <see cref="Complete"/> checks the relay's reply (Y | AUTH) and derives the hop's keys.
/// Single use: the ephemeral secret is wiped when the handshake completes or fails.
/// </summary>
internal sealed class NtorClient : IDisposable
{
    public const ushort HandshakeType = 0x0002;
    public const int IdLength = 20;
    public const int OnionskinLength = IdLength + 2 * Curve25519.KeyLength;   // 84
    public const int ReplyLength = 2 * Curve25519.KeyLength;                 // Y | AUTH = 64

    private static readonly byte[] ProtoId = "ntor-curve25519-sha256-1"u8.ToArray();
    internal static readonly byte[] TMac = "ntor-curve25519-sha256-1:mac"u8.ToArray();
    internal static readonly byte[] TKey = "ntor-curve25519-sha256-1:key_extract"u8.ToArray();
    internal static readonly byte[] TVerify = "ntor-curve25519-sha256-1:verify"u8.ToArray();
    internal static readonly byte[] MExpand = "ntor-curve25519-sha256-1:key_expand"u8.ToArray();
    private static readonly byte[] ServerLabel = "Server"u8.ToArray();

    private readonly byte[] _id;
    private readonly byte[] _b;
    private readonly byte[] _x = new byte[32];
    private readonly byte[] _xPub = new byte[32];
    private bool _done;

    private NtorClient(ReadOnlySpan<byte> relayId, ReadOnlySpan<byte> onionKey, ReadOnlySpan<byte> x)
    {
        if (relayId.Length != IdLength)
            throw new ArgumentException($"relay RSA identity digest must be {IdLength} bytes, got {relayId.Length}", nameof(relayId));
        if (onionKey.Length != Curve25519.KeyLength)
            throw new ArgumentException($"ntor onion key must be 32 bytes, got {onionKey.Length}", nameof(onionKey));
        _id = relayId.ToArray();
        _b = onionKey.ToArray();
        if (x.IsEmpty)
            Curve25519.GenerateKeyPair(_x, _xPub);
        else
        {
            if (x.Length != 32)
                throw new ArgumentException("ephemeral secret must be 32 bytes", nameof(x));
            x.CopyTo(_x);
            Curve25519.PublicKeyOf(_x, _xPub);
        }
        Onionskin = [.. _id, .. _b, .. _xPub];
    }

    /// <summary>Starts a handshake with a relay (its RSA identity digest and its ntor onion key B) and a fresh x.</summary>
    public static NtorClient Create(ReadOnlySpan<byte> relayId, ReadOnlySpan<byte> onionKey) => new(relayId, onionKey, default);

    /// <summary>As <see cref="Create"/> with a chosen ephemeral secret x: for test vectors only.</summary>
    internal static NtorClient CreateWithSecret(ReadOnlySpan<byte> relayId, ReadOnlySpan<byte> onionKey, ReadOnlySpan<byte> x) =>
        new(relayId, onionKey, x);

    /// <summary>NODEID | KEYID(B) | CLIENT_PK: the 84-byte HDATA of CREATE2 / EXTEND2.</summary>
    public byte[] Onionskin { get; }

    /// <summary>Checks the reply and returns the hop's keys (Df, Db, Kf, Kb and the KH nonce).</summary>
    /// <exception cref="TorCryptoException">The reply is malformed, degenerate, or its AUTH does not match.</exception>
    public CircuitKeys Complete(ReadOnlySpan<byte> reply)
    {
        Span<byte> material = stackalloc byte[CircuitKeys.TotalLength];
        CompleteKeyMaterial(reply, material);
        var keys = CircuitKeys.FromRfc5869Layout(material);
        CryptographicOperations.ZeroMemory(material);
        return keys;
    }

    /// <summary>As <see cref="Complete"/>, writing <c>keyMaterial.Length</c> bytes of raw KDF-RFC5869 output.</summary>
    public void CompleteKeyMaterial(ReadOnlySpan<byte> reply, Span<byte> keyMaterial)
    {
        if (_done)
            throw new InvalidOperationException("this ntor handshake has already been completed or failed");
        _done = true;
        try
        {
            if (reply.Length != ReplyLength)
                throw new TorCryptoException($"ntor reply must be {ReplyLength} bytes (Y | AUTH), got {reply.Length}");
            var y = reply[..32];
            var auth = reply[32..64];

            // secret_input = EXP(Y,x) | EXP(B,x) | ID | B | X | Y | PROTOID
            Span<byte> secret = stackalloc byte[32 + 32 + IdLength + 32 + 32 + 32 + 24];
            if (!Curve25519.TryAgree(_x, y, secret[..32]) | !Curve25519.TryAgree(_x, _b, secret[32..64]))
            {
                CryptographicOperations.ZeroMemory(secret);
                throw new TorCryptoException("ntor reply: Diffie-Hellman produced the point at infinity (degenerate Y or onion key)");
            }
            var w = new SpanWriter(secret[64..]);
            w.Write(_id);
            w.Write(_b);
            w.Write(_xPub);
            w.Write(y);
            w.Write(ProtoId);

            Span<byte> keySeed = stackalloc byte[32];
            Span<byte> verify = stackalloc byte[32];
            HMACSHA256.HashData(TKey, secret, keySeed);
            HMACSHA256.HashData(TVerify, secret, verify);
            CryptographicOperations.ZeroMemory(secret);

            // auth_input = verify | ID | B | Y | X | PROTOID | "Server"
            Span<byte> authInput = stackalloc byte[32 + IdLength + 32 + 32 + 32 + 24 + 6];
            w = new SpanWriter(authInput);
            w.Write(verify);
            w.Write(_id);
            w.Write(_b);
            w.Write(y);
            w.Write(_xPub);
            w.Write(ProtoId);
            w.Write(ServerLabel);
            Span<byte> expected = stackalloc byte[32];
            HMACSHA256.HashData(TMac, authInput, expected);
            CryptographicOperations.ZeroMemory(verify);

            if (!CryptographicOperations.FixedTimeEquals(expected, auth))
            {
                CryptographicOperations.ZeroMemory(keySeed);
                throw new TorCryptoException("ntor reply: AUTH does not match (wrong onion key or tampered reply)");
            }
            KdfRfc5869.Expand(keySeed, MExpand, keyMaterial);
            CryptographicOperations.ZeroMemory(keySeed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(_x);
        }
    }

    public void Dispose() => CryptographicOperations.ZeroMemory(_x);
}
