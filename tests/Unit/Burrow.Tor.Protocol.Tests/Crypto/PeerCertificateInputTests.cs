using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.Tor.Cells;
using Burrow.Tor.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;

namespace Burrow.Tor.Tests.Crypto;

/// <summary>Certificate fields a relay controls (issue 16 item 7): dates past year 9999, the RSA exponent,
/// and a generated corpus of broken CERTS cells that must only ever give typed errors.</summary>
public class PeerCertificateInputTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static byte[] WithExpiry(byte[] cert, int offset, uint hours)
    {
        var copy = (byte[])cert.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(offset), hours);
        return copy;
    }

    [Theory]
    [InlineData(uint.MaxValue)]
    [InlineData(0x7FFF_FFFFu)]
    public void An_ed25519_certificate_expiring_after_year_9999_is_a_typed_error(uint hours)
    {
        var signer = TestCertFactory.NewEd25519Key();
        var cert = WithExpiry(TestCertFactory.Ed25519Cert(4, Now, 1, new byte[32], signer), 2, hours);
        var error = Assert.Throws<TorCryptoException>(() => Ed25519Certificate.Parse(cert));
        Assert.Contains("9999", error.Message);
        Assert.Contains("EXPIRATION_DATE", error.Message);
    }

    [Fact]
    public void The_last_representable_hour_parses_and_never_expires_in_practice()
    {
        var signer = TestCertFactory.NewEd25519Key();
        var cert = Ed25519Certificate.Parse(WithExpiry(TestCertFactory.Ed25519Cert(4, Now, 1, new byte[32], signer), 2, Ed25519Certificate.MaxExpirationHours));
        Assert.Equal(9999, cert.Expires.Year);
        Assert.False(cert.IsExpiredAt(Now));
        Assert.Throws<TorCryptoException>(() => Ed25519Certificate.Parse(
            WithExpiry(TestCertFactory.Ed25519Cert(4, Now, 1, new byte[32], signer), 2, Ed25519Certificate.MaxExpirationHours + 1)));
    }

    [Fact]
    public void A_cross_certificate_expiring_after_year_9999_is_a_typed_error()
    {
        using var rsa = RSA.Create(1024);
        var cross = WithExpiry(TestCertFactory.CrossCert(new byte[32], Now, rsa), 32, uint.MaxValue);
        var error = Assert.Throws<TorCryptoException>(() => RsaEd25519CrossCert.Parse(cross));
        Assert.Contains("cross-certificate", error.Message);
        Assert.Contains("9999", error.Message);
    }

    [Theory]
    [InlineData(4, 2)]
    [InlineData(5, 2)]
    [InlineData(7, 32)]
    public void A_certs_cell_with_a_year_9999_certificate_fails_validation_with_a_typed_error(int type, int offset)
    {
        var chain = new TestCertFactory.Chain(Now);
        switch (type)
        {
            case 4: chain.SigningCert = WithExpiry(chain.SigningCert, offset, uint.MaxValue); break;
            case 5: chain.LinkCert = WithExpiry(chain.LinkCert, offset, uint.MaxValue); break;
            default: chain.CrossCert = WithExpiry(chain.CrossCert, offset, uint.MaxValue); break;
        }
        Assert.Contains("9999", Assert.Throws<TorCryptoException>(chain.Validate).Message);
    }

    [Fact]
    public void An_identity_key_whose_exponent_is_not_65537_is_refused()
    {
        // .NET cannot make RSA keys with another exponent; BouncyCastle can.
        var generator = new RsaKeyPairGenerator();
        generator.Init(new RsaKeyGenerationParameters(BigInteger.Three, new SecureRandom(), 1024, 80));
        var pair = generator.GenerateKeyPair();
        var priv = (RsaPrivateCrtKeyParameters)pair.Private;
        using var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters
        {
            Modulus = priv.Modulus.ToByteArrayUnsigned(),
            Exponent = priv.PublicExponent.ToByteArrayUnsigned(),
            D = Pad(priv.Exponent, 128),
            P = Pad(priv.P, 64),
            Q = Pad(priv.Q, 64),
            DP = Pad(priv.DP, 64),
            DQ = Pad(priv.DQ, 64),
            InverseQ = Pad(priv.QInv, 64),
        });
        var chain = new TestCertFactory.Chain(Now);
        chain.IdCert = TestCertFactory.RsaIdentityCert(rsa, Now.AddDays(-1), Now.AddDays(10));
        chain.CrossCert = TestCertFactory.CrossCert(chain.Identity.Public, Now.AddDays(10), rsa);
        var error = Assert.Throws<TorCryptoException>(chain.Validate);
        Assert.Contains("exponent is 3", error.Message);
        Assert.Contains("65537", error.Message);

        Assert.True(RsaPublicKey.FromPkcs1Der(new TestCertFactory.Chain(Now).Rsa.ExportRSAPublicKey()).HasTorExponent);
    }

    private static byte[] Pad(BigInteger value, int length)
    {
        var bytes = value.ToByteArrayUnsigned();
        return bytes.Length >= length ? bytes : [.. new byte[length - bytes.Length], .. bytes];
    }

    /// <summary>
    /// A corpus generated from a valid CERTS cell: flipped bytes, truncations, wrong lengths, swapped and
    /// duplicated entries, extreme expiration dates in every certificate. Decoding and validating each must
    /// end in success or a typed error (<see cref="CellFormatException"/> from the cell,
    /// <see cref="TorCryptoException"/> from a certificate), never anything else.
    /// </summary>
    [Fact]
    public void A_fuzzed_certs_cell_corpus_yields_only_typed_errors()
    {
        var chain = new TestCertFactory.Chain(Now);
        var valid = Encode(chain.Entries());
        var corpus = Corpus(chain, valid, new Random(16)).ToList();
        int ok = 0, cellErrors = 0, certErrors = 0, year9999 = 0;
        foreach (var (what, body) in corpus)
        {
            try
            {
                var cell = CertsCell.Decode(body);
                CertsCellValidator.ValidateResponder(cell.Certificates, chain.TlsDigest, Now);
                ok++;
            }
            catch (CellFormatException)
            {
                cellErrors++;
            }
            catch (TorCryptoException e)
            {
                certErrors++;
                if (e.Message.Contains("9999", StringComparison.Ordinal))
                    year9999++;
            }
            catch (Exception e)
            {
                Assert.Fail($"{what}: {e.GetType().Name} escaped ({e.Message}); only CellFormatException or TorCryptoException may. {e.StackTrace}");
            }
        }
        Assert.True(corpus.Count > 2000, $"corpus of {corpus.Count}");
        Assert.True(ok >= 1, "the unmodified cell validates");
        Assert.True(cellErrors > 100, $"{cellErrors} cell format errors");
        Assert.True(certErrors > 1000, $"{certErrors} certificate errors");
        Assert.True(year9999 >= 3, $"{year9999} year-9999 errors (three planted, random flips may add more)");
    }

    private static byte[] Encode(List<CertsCellEntry> entries)
    {
        var cell = new CertsCell(entries);
        var body = new byte[cell.EncodedLength];
        cell.Encode(body);
        return body;
    }

    private static IEnumerable<(string What, byte[] Body)> Corpus(TestCertFactory.Chain chain, byte[] valid, Random random)
    {
        yield return ("the valid cell", valid);
        // Year 9999 and beyond in each of the three dated certificates (at their EXPIRATION_DATE offsets).
        yield return ("type 4 expiring past 9999", Replace(chain, 4, WithExpiry(chain.SigningCert, 2, uint.MaxValue)));
        yield return ("type 5 expiring past 9999", Replace(chain, 5, WithExpiry(chain.LinkCert, 2, uint.MaxValue)));
        yield return ("type 7 expiring past 9999", Replace(chain, 7, WithExpiry(chain.CrossCert, 32, uint.MaxValue)));
        foreach (var hours in new uint[] { 0, 1, Ed25519Certificate.MaxExpirationHours })
        {
            yield return ($"type 4 expiring at hour {hours}", Replace(chain, 4, WithExpiry(chain.SigningCert, 2, hours)));
            yield return ($"type 7 expiring at hour {hours}", Replace(chain, 7, WithExpiry(chain.CrossCert, 32, hours)));
        }
        // Every single-byte truncation of the cell.
        for (var n = 0; n < valid.Length; n += 1 + valid.Length / 400)
            yield return ($"cell truncated to {n} bytes", valid[..n]);
        // Random byte flips across the whole cell and inside each certificate.
        for (var i = 0; i < 1200; i++)
        {
            var body = (byte[])valid.Clone();
            var flips = 1 + random.Next(4);
            for (var f = 0; f < flips; f++)
                body[random.Next(body.Length)] ^= (byte)(1 << random.Next(8));
            yield return ($"cell flip #{i}", body);
        }
        var entries = chain.Entries();
        for (var i = 0; i < 800; i++)
        {
            var which = random.Next(entries.Count);
            var cert = entries[which].Certificate.ToArray();
            var mutated = random.Next(4) switch
            {
                0 => cert[..random.Next(cert.Length)],
                1 => [.. cert, .. RandomNumberGenerator.GetBytes(1 + random.Next(64))],
                2 => Flip(cert, random),
                _ => RandomNumberGenerator.GetBytes(random.Next(300)),
            };
            var copy = entries.ToList();
            copy[which] = new CertsCellEntry(entries[which].Type, mutated);
            yield return ($"certificate type {(byte)entries[which].Type} mutation #{i}", Encode(copy));
        }
        // Wrong N, lengths past the end, swapped types, missing and foreign entries.
        for (var i = 0; i < 256; i += 7)
        {
            var body = (byte[])valid.Clone();
            body[0] = (byte)i;
            yield return ($"N = {i}", body);
        }
        yield return ("types 4 and 5 swapped", Encode([entries[0], new(entries[2].Type, entries[1].Certificate), new(entries[1].Type, entries[2].Certificate), entries[3]]));
        yield return ("type 2 carries the cross-certificate", Encode([new(entries[0].Type, entries[3].Certificate), entries[1], entries[2], entries[3]]));
        yield return ("only unknown types", Encode([new((LinkCertType)200, new byte[10]), new((LinkCertType)201, Array.Empty<byte>())]));
        yield return ("an empty cell", [0]);
        yield return ("no bytes", []);
    }

    private static byte[] Replace(TestCertFactory.Chain chain, byte type, byte[] body) =>
        Encode(chain.Entries().Select(e => (byte)e.Type == type ? new CertsCellEntry(e.Type, body) : e).ToList());

    private static byte[] Flip(byte[] cert, Random random)
    {
        var copy = (byte[])cert.Clone();
        if (copy.Length > 0)
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        return copy;
    }
}
