using Burrow.Tor.Protocol.Onion;

namespace Burrow.Tor.Tests.Onion;

public class OnionAddressTests
{
    private const string Vectors = "hs_address_blinding_subcredential.txt";

    [Theory]
    [InlineData("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid.onion")]
    [InlineData("92e680fa57552e7d484c9d2a3edb46fbc076e54ea90b77bb84e3e6d5657d52a1", "sltib6sxkuxh2scmtuvd5w2g7pahnzkovefxpo4e4ptnkzl5kkq5h2ad.onion")]
    [InlineData("781d978ce6ce9caa8bca306f53e82d2c993e5c91346625f1c151dcfc56d753d3", "paozpdhgz2okvc6kgbxvh2bnfsmt4xergrtcl4obkhopyvwxkpjzvoad.onion")]
    public void AddressEncodesAndParsesTheVectorKeys(string key, string address)
    {
        Assert.Contains(key, OnionVectors.Text("vectors", Vectors), StringComparison.Ordinal);
        var bytes = Convert.FromHexString(key);
        Assert.Equal(address, OnionAddress.FromIdentityKey(bytes).Host);
        var parsed = OnionAddress.Parse(address.ToUpperInvariant());
        Assert.Equal(bytes, parsed.IdentityKey);
        Assert.Equal(address, parsed.Host);
        Assert.Equal(bytes, OnionAddress.Parse("www." + address + ".").IdentityKey);
    }

    [Theory]
    [InlineData("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion")]
    [InlineData("sp3k262uwy4r2k3ycr5awluarykdpag6a7y33jxop4cs2lu5uz5sseqd.onion")]
    [InlineData("xa4r2iadxm55fbnqgwwi5mymqdcofiu3w6rpbtqn7b2dyn7mgwj64jyd.onion")]
    public void SpecExampleAddressesParse(string address)
    {
        Assert.Contains(address, OnionVectors.Text("vectors", "rend-spec-v3_s6_onion-address_s2.2.1_time-period.txt"), StringComparison.Ordinal);
        Assert.Equal(address, OnionAddress.FromIdentityKey(OnionAddress.Parse(address).IdentityKey).Host);
    }

    [Theory]
    [InlineData("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4psdryd.onion", "checksum")]   // a checksum char changed
    [InlineData("ag6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion", "checksum")]   // key changed
    [InlineData("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd1.onion", "56")]
    [InlineData("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscry1.onion", "base32")]
    [InlineData("expyuzz4wqqyqhjn.onion", "v2")]
    [InlineData("onion", "56")]
    public void MalformedAddressesAreRefusedWithTheReason(string address, string reason)
    {
        var e = Assert.Throws<OnionException>(() => OnionAddress.Parse(address));
        Assert.Equal(OnionErrorKind.MalformedAddress, e.Kind);
        Assert.Contains(reason, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void WrongVersionIsRefused()
    {
        var raw = new byte[35];
        Convert.FromHexString("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a").CopyTo(raw, 0);
        raw[34] = 4;
        var e = Assert.Throws<OnionException>(() => OnionAddress.Parse(OnionAddress.Base32Encode(raw) + ".onion"));
        Assert.Contains("version 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyWithTorsionComponentIsRefused()
    {
        // The identity plus a point of order 8 (its y = 0 encoding... use the order-2 point (0, -1)):
        // an address whose key is of small order has a valid checksum but must still be refused.
        var smallOrder = new byte[32];
        smallOrder[0] = 0xec; // y = p - 1 = -1: the point (0, -1) of order 2
        for (var i = 1; i < 31; i++)
            smallOrder[i] = 0xff;
        smallOrder[31] = 0x7f;
        var address = OnionAddress.FromIdentityKey(smallOrder).Host;
        var e = Assert.Throws<OnionException>(() => OnionAddress.Parse(address));
        Assert.Contains("torsion", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IsOnionNameMatchesTheSuffixOnly()
    {
        Assert.True(OnionAddress.IsOnionName("x.onion"));
        Assert.True(OnionAddress.IsOnionName("X.ONION."));
        Assert.False(OnionAddress.IsOnionName("onion.example"));
        Assert.False(OnionAddress.IsOnionName("xonion"));
    }
}
