using System.Text;
using Burrow.Tor.Protocol.Onion;

namespace Burrow.Tor.Tests.Onion;

public class HsNtorTests
{
    [Theory]
    [InlineData("who", "knows?", "5e7da329630fdaa3eab7498bb1dc625bbb9ca968f10392b6af92d51d5db17473")]
    [InlineData("gone", "by", "90071aabb06d3f7c777db41542f4790c7dd9e2e7b2b842f54c9c42bbdb37e9a0")]
    public void MacMatchesTheVectors(string key, string msg, string mac)
    {
        Assert.Contains(mac, OnionVectors.Text("vectors", "hs-ntor_mac.txt"), StringComparison.Ordinal);
        Assert.Equal(Convert.FromHexString(mac), OnionHash.Mac(Encoding.ASCII.GetBytes(key), Encoding.ASCII.GetBytes(msg)));
    }

    private static HsNtorClient VectorClient() => new(
        OnionVectors.SpecHex("KP_hs_ipd_sid"), OnionVectors.SpecHex("KP_hss_ntor"), OnionVectors.SpecHex("N_hs_subcred"), OnionVectors.SpecHex("x"));

    [Fact]
    public void IntroduceKeysAndBodyMatchAppendixG()
    {
        var c = VectorClient();
        Assert.Equal(OnionVectors.SpecHex("X"), c.ClientPublicKey.ToArray());
        var keys = c.IntroKeys();
        Assert.Equal(OnionVectors.SpecHex("ENC_KEY"), keys[..32]);
        Assert.Equal(OnionVectors.SpecHex("MAC_KEY"), keys[32..]);
        var header = OnionVectors.SpecHex("H");
        Assert.Equal(Introduce1Builder.Header(OnionVectors.SpecHex("KP_hs_ipd_sid")), header);
        var body = c.SealIntroduce1(header, OnionVectors.SpecHex("P"));
        Assert.Equal(OnionVectors.SpecIntroduce1Body(), body);
    }

    [Fact]
    public void RendezvousCompletionGivesTheVectorSeed()
    {
        var c = VectorClient();
        var info = OnionVectors.SpecHex("Y").Concat(OnionVectors.SpecHex("AUTH_INPUT_MAC")).ToArray();
        Assert.Equal(OnionVectors.SpecHex("NTOR_KEY_SEED"), c.CompleteSeed(info));
        Assert.Equal(128, HsNtorClient.ExpandKeys(OnionVectors.SpecHex("NTOR_KEY_SEED")).Length);
    }

    [Fact]
    public void WrongAuthIsRefused()
    {
        var c = VectorClient();
        var info = OnionVectors.SpecHex("Y").Concat(OnionVectors.SpecHex("AUTH_INPUT_MAC")).ToArray();
        info[^1] ^= 1;
        var e = Assert.Throws<OnionException>(() => c.CompleteSeed(info));
        Assert.Equal(OnionErrorKind.ProtocolViolation, e.Kind);
    }

    [Fact]
    public void IntroducePlaintextIsPaddedLikeTheVector()
    {
        var header = OnionVectors.SpecHex("H");
        var specs = new List<Burrow.Tor.Cells.LinkSpecifier>
        {
            new Burrow.Tor.Cells.IPv4LinkSpecifier(System.Net.IPAddress.Loopback, 5001),
            new Burrow.Tor.Cells.LegacyIdLinkSpecifier(new Burrow.Tor.Identities.RsaIdentity(new byte[20])),
        };
        var p = Introduce1Builder.Plaintext(new byte[20], new byte[32], specs, header.Length);
        Assert.Equal(OnionVectors.SpecHex("P").Length, p.Length);
        Assert.Equal(1, p[21]);          // ONION_KEY_TYPE ntor
        Assert.Equal(32, p[23]);         // ONION_KEY_LEN
        Assert.Equal(2, p[56]);          // NSPEC
    }
}
