using Burrow.Tor.Cells;
using Burrow.Tor.Crypto;

namespace Burrow.Tor.Tests.Crypto;

/// <summary>Inputs the fuzzer (bench/Fuzz, target "certs") found crashing the CERTS validation; each must now be
/// the typed, named rejection.</summary>
public class CertsCellFuzzRegressionTests
{
    [Fact]
    public void TypeTwoCertificateWhoseRsaKeyDoesNotDecodeIsATypedError()
    {
        // The X.509 parser accepts the certificate (the key is an opaque BIT STRING to it); only extracting the
        // key fails, with OpenSSL's CryptographicException "decode error", which used to escape the validator.
        var cert = ChutneyCertsCell.Body(2);
        var at = cert.AsSpan().IndexOf(Convert.FromHexString("308189028181"));
        Assert.True(at > 0, "the chutney type-2 certificate holds a 1024-bit RSAPublicKey");
        cert[at + 3] = 0x05; // the modulus INTEGER tag becomes NULL
        var entries = ChutneyCertsCell.Entries().Select(e => (byte)e.Type == 2 ? new CertsCellEntry(e.Type, cert) : e).ToList();

        var e = Assert.Throws<TorCryptoException>(() =>
            CertsCellValidator.ValidateResponder(entries, ChutneyCertsCell.TlsCertSha256, ChutneyCertsCell.ValidAt));
        Assert.Contains("type-2 (RSA identity)", e.Message);
        Assert.Contains("RSA public key does not decode", e.Message);
    }
}
