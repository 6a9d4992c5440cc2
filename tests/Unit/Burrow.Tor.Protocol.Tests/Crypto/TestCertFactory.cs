using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.Tor.Cells;
using Burrow.Tor.Crypto;
using Org.BouncyCastle.Security;
using BcEd25519 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace Burrow.Tor.Tests.Crypto;

/// <summary>Makes keys and certificates in Tor's formats so tests can build valid and broken CERTS cells.</summary>
internal static class TestCertFactory
{
    private static readonly SecureRandom Random = new();

    public sealed record Ed25519Key(byte[] Secret, byte[] Public);

    public static Ed25519Key NewEd25519Key()
    {
        var sk = new byte[32];
        var pk = new byte[32];
        BcEd25519.GeneratePrivateKey(Random, sk);
        BcEd25519.GeneratePublicKey(sk, 0, pk, 0);
        return new Ed25519Key(sk, pk);
    }

    public static uint Hours(DateTimeOffset t) => (uint)((t - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerHour);

    /// <summary>An Ed25519 certificate (cert-spec 2.1) signed by <paramref name="signer"/>.</summary>
    public static byte[] Ed25519Cert(byte certType, DateTimeOffset expires, byte keyType, byte[] certifiedKey, Ed25519Key signer,
        bool embedSigner = true, IEnumerable<(byte Type, byte Flags, byte[] Data)>? extraExtensions = null, byte version = 1)
    {
        var exts = new List<(byte Type, byte Flags, byte[] Data)>();
        if (embedSigner)
            exts.Add((4, 0, signer.Public));
        if (extraExtensions != null)
            exts.AddRange(extraExtensions);
        var body = new List<byte> { version, certType };
        var exp = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(exp, Hours(expires));
        body.AddRange(exp);
        body.Add(keyType);
        body.AddRange(certifiedKey);
        body.Add((byte)exts.Count);
        foreach (var (type, flags, data) in exts)
        {
            body.Add((byte)(data.Length >> 8));
            body.Add((byte)data.Length);
            body.Add(type);
            body.Add(flags);
            body.AddRange(data);
        }
        var signed = body.ToArray();
        var sig = new byte[64];
        BcEd25519.Sign(signer.Secret, 0, signed, 0, signed.Length, sig, 0);
        return [.. signed, .. sig];
    }

    /// <summary>A self-signed X.509 certificate for an RSA key, as relays make their identity certificates.</summary>
    public static byte[] RsaIdentityCert(RSA key, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var req = new CertificateRequest("CN=www.example.com", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = req.CreateSelfSigned(notBefore, notAfter);
        return cert.RawData;
    }

    /// <summary>An RSA->Ed25519 cross-certificate (cert-spec 2.3) signed Tor-style (raw digest, no DigestInfo).</summary>
    public static byte[] CrossCert(byte[] edIdentity, DateTimeOffset expires, RSA rsa)
    {
        var exp = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(exp, Hours(expires));
        byte[] signed = [.. edIdentity, .. exp];
        var digest = SHA256.HashData([.. "Tor TLS RSA/Ed25519 cross-certificate"u8.ToArray(), .. signed]);
        var sig = RawRsaSign(rsa, digest);
        return [.. signed, (byte)sig.Length, .. sig];
    }

    private static byte[] RawRsaSign(RSA rsa, byte[] digest)
    {
        var p = rsa.ExportParameters(true);
        var k = p.Modulus!.Length;
        var em = new byte[k];
        em[1] = 1;
        em.AsSpan(2, k - 3 - digest.Length).Fill(0xFF);
        digest.CopyTo(em, k - digest.Length);
        var n = new BigInteger(p.Modulus, true, true);
        var d = new BigInteger(p.D, true, true);
        var s = BigInteger.ModPow(new BigInteger(em, true, true), d, n).ToByteArray(true, true);
        return [.. new byte[k - s.Length], .. s];
    }

    /// <summary>A complete, valid responder CERTS set; tests break one piece at a time.</summary>
    public sealed class Chain
    {
        public Chain(DateTimeOffset now, int rsaBits = 1024)
        {
            Now = now;
            Rsa = RSA.Create(rsaBits);
            Identity = NewEd25519Key();
            Signing = NewEd25519Key();
            TlsDigest = RandomNumberGenerator.GetBytes(32);
            IdCert = RsaIdentityCert(Rsa, now.AddDays(-30), now.AddDays(300));
            SigningCert = Ed25519Cert(4, now.AddDays(20), CertifiedKeyType.Ed25519, Signing.Public, Identity);
            LinkCert = Ed25519Cert(5, now.AddDays(2), CertifiedKeyType.Sha256OfX509, TlsDigest, Signing);
            CrossCert = TestCertFactory.CrossCert(Identity.Public, now.AddDays(180), Rsa);
        }

        public DateTimeOffset Now { get; }
        public RSA Rsa { get; }
        public Ed25519Key Identity { get; }
        public Ed25519Key Signing { get; }
        public byte[] TlsDigest { get; }
        public byte[] IdCert { get; set; }
        public byte[] SigningCert { get; set; }
        public byte[] LinkCert { get; set; }
        public byte[] CrossCert { get; set; }

        public List<CertsCellEntry> Entries() =>
        [
            new(LinkCertType.RsaIdentity, IdCert),
            new(LinkCertType.Ed25519Signing, SigningCert),
            new(LinkCertType.Ed25519Link, LinkCert),
            new(LinkCertType.RsaEd25519CrossCert, CrossCert),
        ];

        public RelayLinkIdentity Validate() => CertsCellValidator.ValidateResponder(Entries(), TlsDigest, Now);
    }
}
