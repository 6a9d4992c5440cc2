using Burrow.Tor.Identities;

namespace Burrow.Tor.Tests.Identities;

public class IdentityTests
{
    // moria1's v3ident and its Ed25519 key as the fallback list spells them.
    private const string RsaHex = "D586D18309DED4CD6D57C18FDB97EFA96D330566";
    private const string EdBase64 = "yp0fwtp4aa/VMyZJGz8vN7Km3zYet1YBZwqZEk1CwHI";

    [Fact]
    public void RsaIdentityRoundTripsHexAndBytes()
    {
        var id = RsaIdentity.FromHex(RsaHex.ToLowerInvariant());
        Assert.Equal(RsaHex, id.ToHex());
        Assert.Equal("$" + RsaHex, id.ToString());
        var bytes = Convert.FromHexString(RsaHex);
        Assert.Equal(bytes, id.ToArray());
        Assert.Equal(id, RsaIdentity.FromBytes(bytes));
        Assert.True(id.Matches(bytes));
        bytes[19] ^= 1;
        Assert.False(id.Matches(bytes));
        Assert.False(id.Matches(bytes.AsSpan(0, 19)));
        Assert.NotEqual(id, new RsaIdentity(bytes));
        Assert.True(id.CompareTo(new RsaIdentity(bytes)) < 0); // 0x66 < 0x67: the consensus order
    }

    [Theory]
    [InlineData("")]
    [InlineData("D586D18309DED4CD6D57C18FDB97EFA96D33056")]
    [InlineData("D586D18309DED4CD6D57C18FDB97EFA96D3305660")]
    [InlineData("G586D18309DED4CD6D57C18FDB97EFA96D330566")]
    public void RsaIdentityRefusesWhatIsNotFortyHexDigits(string text)
    {
        Assert.False(RsaIdentity.TryFromHex(text, out _));
        var e = Assert.Throws<FormatException>(() => RsaIdentity.FromHex(text));
        Assert.Contains("40 hexadecimal digits", e.Message);
    }

    [Fact]
    public void RawBytesOfTheWrongLengthAreRefused()
    {
        Assert.Throws<ArgumentException>(() => RsaIdentity.FromBytes(new byte[19]));
        Assert.Throws<ArgumentException>(() => new RsaIdentity(new byte[21]));
        Assert.Throws<ArgumentException>(() => new Ed25519Identity(new byte[31]));
        Assert.Throws<ArgumentException>(() => new Ed25519Identity(new byte[33]));
    }

    [Fact]
    public void Ed25519IdentityRoundTripsUnpaddedAndPaddedBase64()
    {
        var id = Ed25519Identity.FromBase64(EdBase64);
        Assert.Equal(EdBase64, id.ToBase64());
        Assert.Equal(EdBase64, id.ToString());
        Assert.Equal(id, Ed25519Identity.FromBase64(EdBase64 + "="));
        var bytes = Convert.FromBase64String(EdBase64 + "=");
        Assert.Equal(bytes, id.ToArray());
        Assert.True(id.Matches(bytes));
        bytes[0] ^= 1;
        Assert.False(id.Matches(bytes));
        Assert.NotEqual(id, new Ed25519Identity(bytes));
        Assert.Equal(id.GetHashCode(), Ed25519Identity.FromBase64(EdBase64).GetHashCode());
    }

    [Theory]
    [InlineData("")]
    [InlineData("yp0fwtp4aa/VMyZJGz8vN7Km3zYet1YBZwqZEk1CwH")]
    [InlineData("yp0fwtp4aa/VMyZJGz8vN7Km3zYet1YBZwqZEk1CwHIA")]
    [InlineData("yp0fwtp4aa/VMyZJGz8vN7Km3zYet1YBZwqZEk1CwH!")]
    [InlineData("yp0fwtp4aa/VMyZJGz8vN7Km3zYet1YBZwqZEk1CwHé")]
    public void Ed25519IdentityRefusesWhatIsNotBase64OfThirtyTwoBytes(string text)
    {
        Assert.False(Ed25519Identity.TryFromBase64(text, out _));
        var e = Assert.Throws<FormatException>(() => Ed25519Identity.FromBase64(text));
        Assert.Contains("43 base64 characters", e.Message);
    }
}
