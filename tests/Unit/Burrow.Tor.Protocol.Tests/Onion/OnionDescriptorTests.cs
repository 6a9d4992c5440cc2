using Burrow.Tor.Cells;
using Burrow.Tor.Crypto;
using Burrow.Tor.Protocol.Onion;

namespace Burrow.Tor.Tests.Onion;

public class OnionDescriptorTests
{
    private const string Keys = "hsdesc_decryption_keys.txt";

    private static byte[] K(string section, string name) => OnionVectors.Hex(Keys, section, name);

    [Fact]
    public void Hsdesc1VerifiesAndDecryptsToItsIntroPoints()
    {
        var text = OnionVectors.Text("arti", "netdoc", "hsdesc1.txt");
        var blinded = K("[hsdesc1.txt]", "blinded_id");
        var d = OnionDescriptor.ParseAndVerify(text, blinded, now: null);
        Assert.Equal(180u, d.LifetimeMinutes);
        Assert.Equal(19655750UL, d.RevisionCounter);
        var inner = OnionDescriptorLayers.Decrypt(d, K("[hsdesc1.txt]", "subcredential"), clientAuthKey: null);
        Assert.Contains(2, inner.Create2Formats);
        Assert.NotEmpty(inner.IntroPoints);
        foreach (var ip in inner.IntroPoints)
        {
            Assert.Equal(32, ip.AuthKey.Length);
            Assert.Equal(32, ip.EncKey.Length);
            Assert.Contains(ip.LinkSpecifiers, s => s is IPv4LinkSpecifier);
            Assert.Contains(ip.LinkSpecifiers, s => s is LegacyIdLinkSpecifier);
        }
    }

    [Fact]
    public void DescriptorOfAnotherBlindedKeyIsRefused()
    {
        var text = OnionVectors.Text("arti", "netdoc", "hsdesc1.txt");
        var other = K("[hsdesc1.txt]", "blinded_id");
        other[0] ^= 1;
        var e = Assert.Throws<OnionException>(() => OnionDescriptor.ParseAndVerify(text, other, null));
        Assert.Equal(OnionErrorKind.InvalidDescriptor, e.Kind);
        Assert.Contains("blinded key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TamperedDocumentFailsItsSignature()
    {
        var text = OnionVectors.Text("arti", "netdoc", "hsdesc1.txt").Replace("revision-counter 19655750", "revision-counter 19655751", StringComparison.Ordinal);
        var e = Assert.Throws<OnionException>(() => OnionDescriptor.ParseAndVerify(text, K("[hsdesc1.txt]", "blinded_id"), null));
        Assert.Contains("signature does not verify", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpiredCertificateIsRefusedWhenTimeIsChecked()
    {
        var text = OnionVectors.Text("arti", "netdoc", "hsdesc1.txt");
        var e = Assert.Throws<OnionException>(() => OnionDescriptor.ParseAndVerify(text, K("[hsdesc1.txt]", "blinded_id"), DateTimeOffset.UtcNow));
        Assert.Contains("expired", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongSubcredentialIsAnInvalidDescriptor()
    {
        var text = OnionVectors.Text("arti", "netdoc", "hsdesc1.txt");
        var d = OnionDescriptor.ParseAndVerify(text, K("[hsdesc1.txt]", "blinded_id"), null);
        var sub = K("[hsdesc1.txt]", "subcredential");
        sub[5] ^= 0x80;
        var e = Assert.Throws<OnionException>(() => OnionDescriptorLayers.Decrypt(d, sub, null));
        Assert.Equal(OnionErrorKind.InvalidDescriptor, e.Kind);
    }

    private static OnionDescriptor Hsdesc2(out byte[] subcredential)
    {
        var id = K("[hsdesc2.txt]", "hs_id");
        var blinded = OnionKeyBlinding.BlindPublicKey(id, new TimePeriod(19397, 1440, 720));
        subcredential = OnionKeyBlinding.Subcredential(id, blinded);
        Assert.Equal(K("[hsdesc2.txt]", "subcredential"), subcredential);
        return OnionDescriptor.ParseAndVerify(OnionVectors.Text("arti", "netdoc", "hsdesc2.txt"), blinded, null);
    }

    [Fact]
    public void Hsdesc2NeedsClientAuthorization()
    {
        var d = Hsdesc2(out var sub);
        var e = Assert.Throws<OnionException>(() => OnionDescriptorLayers.Decrypt(d, sub, null));
        Assert.Equal(OnionErrorKind.ClientAuthRequired, e.Kind);
        Assert.Contains("no key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hsdesc2DecryptsWithTheClientKey()
    {
        var d = Hsdesc2(out var sub);
        var sk = K("[hsdesc2.txt]", "client_desc_enc_seckey");
        var pk = new byte[32];
        Curve25519.PublicKeyOf(sk, pk);
        Assert.Equal(K("[hsdesc2.txt]", "client_desc_enc_pubkey"), pk);
        var inner = OnionDescriptorLayers.Decrypt(d, sub, sk);
        Assert.NotEmpty(inner.IntroPoints);
    }

    [Fact]
    public void Hsdesc2RefusesAnUnauthorizedKey()
    {
        var d = Hsdesc2(out var sub);
        var other = new byte[32];
        other[0] = 0x48;
        var e = Assert.Throws<OnionException>(() => OnionDescriptorLayers.Decrypt(d, sub, other));
        Assert.Equal(OnionErrorKind.ClientAuthRequired, e.Kind);
        Assert.Contains("not among its authorized clients", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StemDescriptorDecryptsWithItsAddressAloneToTheExpectedInnerLayer()
    {
        var address = OnionAddress.Parse("sltib6sxkuxh2scmtuvd5w2g7pahnzkovefxpo4e4ptnkzl5kkq5h2ad.onion");
        var text = OnionVectors.Text("stem", "hidden_service_v3");
        // The period is not published with the document: find the one whose blinded key signs its certificate.
        OnionDescriptor? d = null;
        byte[]? blinded = null;
        var cert = Ed25519Certificate.Parse(OnionDocReader.Parse(text).First(i => i.Keyword == "descriptor-signing-key-cert").Object!);
        var start = TimePeriod.At(cert.Expires.AddDays(-3)).Number;
        for (var n = start; n < start + 4 && d == null; n++)
        {
            blinded = OnionKeyBlinding.BlindPublicKey(address.IdentityKey, new TimePeriod(n, 1440, 720));
            try
            {
                d = OnionDescriptor.ParseAndVerify(text, blinded, null);
            }
            catch (OnionException e) when (e.Message.Contains("blinded key", StringComparison.Ordinal))
            {
            }
        }
        Assert.NotNull(d);
        var inner = OnionDescriptorLayers.Decrypt(d, OnionKeyBlinding.Subcredential(address.IdentityKey, blinded!), null);
        var expected = OnionVectors.Text("stem", "hidden_service_v3_inner_layer");
        var expectedIntros = expected.Split('\n').Count(l => l.StartsWith("introduction-point ", StringComparison.Ordinal));
        Assert.Equal(expectedIntros, inner.IntroPoints.Count);
        var firstEnc = expected.Split('\n').First(l => l.StartsWith("enc-key ntor ", StringComparison.Ordinal))["enc-key ntor ".Length..];
        Assert.Equal(OnionDocReader.Base64(firstEnc, 32, "enc-key"), inner.IntroPoints[0].EncKey);
    }

    [Fact]
    public void InnerLayerParsesPowParams()
    {
        var inner = OnionVectors.Text("arti", "netdoc", "hsdesc-inner.txt");
        var withPow = inner.Replace("create2-formats 2\n", "create2-formats 2\npow-params v1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8 250 2030-01-01T00:00:00\n", StringComparison.Ordinal);
        // Certificates inside are signed by the arti test's signing key: take it from the first one.
        var signingKey = SigningKeyOf(inner);
        var parsed = OnionInnerLayer.Parse(withPow, signingKey);
        Assert.NotNull(parsed.PowParams);
        Assert.Equal("v1", parsed.PowParams!.Type);
        Assert.Equal(250u, parsed.PowParams.SuggestedEffort);
        Assert.Equal(32, parsed.PowParams.Seed.Length);
        Assert.Null(OnionInnerLayer.Parse(inner, signingKey).PowParams);
    }

    [Fact]
    public void IntroCertificateSignedByAnotherKeyIsRefused()
    {
        var inner = OnionVectors.Text("arti", "netdoc", "hsdesc-inner.txt");
        var wrong = SigningKeyOf(inner);
        wrong[3] ^= 1;
        var e = Assert.Throws<OnionException>(() => OnionInnerLayer.Parse(inner, wrong));
        Assert.Contains("not signed by the descriptor signing key", e.Message, StringComparison.Ordinal);
    }

    private static byte[] SigningKeyOf(string inner)
    {
        var item = OnionDocReader.Parse(inner).First(i => i.Keyword == "auth-key");
        return Ed25519Certificate.Parse(item.Object!).SignedWithKey!;
    }
}
