// The outer document of a v3 onion-service descriptor (rend-spec-v3 2.4 [DESC-OUTER]): version 3, lifetime,
// the descriptor-signing-key certificate (type 08, signed by the blinded key), revision counter, the
// "superencrypted" blob and an Ed25519 signature by the signing key over
// "Tor onion service descriptor sig v3" | the document up to the "signature" line.
using System.Security.Cryptography;
using System.Text;
using Burrow.Tor.Crypto;

namespace Burrow.Tor.Protocol.Onion;

/// <summary>A parsed and verified outer descriptor.</summary>
internal sealed class OnionDescriptor
{
    public const byte SigningKeyCertType = 0x08;
    private const string SignaturePrefix = "Tor onion service descriptor sig v3";

    private OnionDescriptor(byte[] blindedKey, byte[] signingKey, uint lifetimeMinutes, ulong revision, byte[] superencrypted, DateTimeOffset certExpires)
    {
        BlindedKey = blindedKey;
        SigningKey = signingKey;
        LifetimeMinutes = lifetimeMinutes;
        RevisionCounter = revision;
        Superencrypted = superencrypted;
        CertificateExpires = certExpires;
    }

    /// <summary>KP_hs_blind_id that signed the signing-key certificate.</summary>
    public byte[] BlindedKey { get; }

    /// <summary>KP_hs_desc_sign, which signed the document and the intro-point certificates.</summary>
    public byte[] SigningKey { get; }

    public uint LifetimeMinutes { get; }

    public ulong RevisionCounter { get; }

    /// <summary>The first-layer ciphertext (SALT | ENCRYPTED | MAC).</summary>
    public byte[] Superencrypted { get; }

    public DateTimeOffset CertificateExpires { get; }

    /// <summary>
    /// Parses <paramref name="text"/> and checks it is the descriptor of <paramref name="expectedBlindedKey"/>:
    /// the certificate is signed by that key (and, with <paramref name="now"/>, not expired) and the document
    /// signature verifies with the certified signing key.
    /// </summary>
    /// <exception cref="OnionException">Kind <see cref="OnionErrorKind.InvalidDescriptor"/>.</exception>
    public static OnionDescriptor ParseAndVerify(string text, ReadOnlySpan<byte> expectedBlindedKey, DateTimeOffset? now)
    {
        var items = OnionDocReader.Parse(text);
        if (items.Count == 0 || items[0].Keyword != "hs-descriptor")
            throw OnionDocReader.Invalid("does not start with 'hs-descriptor'");
        if (items[0].Arg(0, "version") != "3")
            throw OnionDocReader.Invalid($"version '{items[0].Args[0]}' is not supported (only 3)");
        uint? lifetime = null;
        ulong? revision = null;
        byte[]? cert = null;
        byte[]? super = null;
        OnionDocItem? signature = null;
        for (var i = 1; i < items.Count; i++)
        {
            var item = items[i];
            if (signature != null)
                throw OnionDocReader.Invalid($"'{item.Keyword}' (line {item.Line}) after the signature");
            switch (item.Keyword)
            {
                case "hs-descriptor":
                    throw OnionDocReader.Invalid("'hs-descriptor' appears twice");
                case "descriptor-lifetime":
                    Once(lifetime, item);
                    if (!uint.TryParse(item.Arg(0, "lifetime"), out var lt) || lt is < 30 or > 720)
                        throw OnionDocReader.Invalid($"descriptor-lifetime '{item.Args[0]}' is not 30..720 minutes");
                    lifetime = lt;
                    break;
                case "descriptor-signing-key-cert":
                    Once(cert, item);
                    cert = item.RequireObject("ED25519 CERT");
                    break;
                case "revision-counter":
                    Once(revision, item);
                    if (!ulong.TryParse(item.Arg(0, "counter"), out var rc))
                        throw OnionDocReader.Invalid($"revision-counter '{item.Args[0]}' is not a 64-bit number");
                    revision = rc;
                    break;
                case "superencrypted":
                    Once(super, item);
                    super = item.RequireObject("MESSAGE");
                    break;
                case "signature":
                    signature = item;
                    break;
            }
        }
        if (lifetime == null || revision == null || cert == null || super == null || signature == null)
            throw OnionDocReader.Invalid("lacks one of descriptor-lifetime, descriptor-signing-key-cert, revision-counter, superencrypted, signature");

        Ed25519Certificate certificate;
        try
        {
            certificate = Ed25519Certificate.Parse(cert);
        }
        catch (TorCryptoException e)
        {
            throw OnionDocReader.Invalid("descriptor-signing-key-cert: " + e.Message);
        }
        if (certificate.CertType != SigningKeyCertType || certificate.CertifiedKeyType != 1)
            throw OnionDocReader.Invalid($"descriptor-signing-key-cert has type {certificate.CertType} (key type {certificate.CertifiedKeyType}); it must be type 8 certifying an Ed25519 key");
        if (certificate.SignedWithKey == null || !CryptographicOperations.FixedTimeEquals(certificate.SignedWithKey, expectedBlindedKey))
            throw OnionDocReader.Invalid("descriptor-signing-key-cert is not signed by this service's blinded key for the time period (a descriptor of another service or period)");
        if (!certificate.IsSignedBy(expectedBlindedKey))
            throw OnionDocReader.Invalid("descriptor-signing-key-cert: the signature by the blinded key does not verify");
        if (now is { } t && certificate.IsExpiredAt(t))
            throw OnionDocReader.Invalid($"descriptor-signing-key-cert expired at {certificate.Expires:u}");

        var sig = OnionDocReader.Base64(signature.Arg(0, "signature"), 64, "signature");
        var signed = Encoding.Latin1.GetBytes(SignaturePrefix + text[..signature.Start]);
        if (!Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Verify(sig, 0, certificate.CertifiedKey, 0, signed, 0, signed.Length))
            throw OnionDocReader.Invalid("the document signature does not verify with the certified signing key");
        return new OnionDescriptor(expectedBlindedKey.ToArray(), certificate.CertifiedKey, lifetime.Value, revision.Value, super, certificate.Expires);
    }

    private static void Once(object? seen, OnionDocItem item)
    {
        if (seen != null)
            throw OnionDocReader.Invalid($"'{item.Keyword}' appears more than once (line {item.Line})");
    }
}
